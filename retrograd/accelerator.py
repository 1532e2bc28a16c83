"""PyTorch's ``torch.accelerator`` namespace: retrograd runs on the CPU (NumPy), so no
accelerator is ever available, and scripts that ask take their CPU branch."""


def is_available() -> bool:
    """False: there is no accelerator (GPU) backend (PyTorch's ``torch.accelerator.is_available``).

    >>> import retrograd as rg
    >>> rg.accelerator.is_available()
    False
    """
    return False


def current_accelerator(check_available: bool = False):
    """None: no accelerator is present (PyTorch's ``torch.accelerator.current_accelerator``).

    >>> import retrograd as rg
    >>> rg.accelerator.current_accelerator() is None
    True
    """
    return None


def device_count() -> int:
    """0: no accelerator devices (PyTorch's ``torch.accelerator.device_count``).

    >>> import retrograd as rg
    >>> rg.accelerator.device_count()
    0
    """
    return 0
