def forward_backward(w, x, b, y):
    # forward
    c = w * x
    a = c + b
    d = a - y
    pow1 = d ** 2
    J = pow1 / 2.0
    # backward
    # d pow1 / d d: pow rule, g * 2 * d**1
    dJ_dd = d
    # d c / d w: mul rule, g * x
    dJ_dw = dJ_dd * x
    dJ_db = dJ_dd
    return (J, dJ_dw, dJ_db)
