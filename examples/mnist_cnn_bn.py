"""A CNN on MNIST in the style of PyTorch's ``examples/mnist`` script (``examples/mnist_cnn.py`` is
that script itself), with BatchNorm, SGD with momentum, gradient clipping and a TensorDataset.

The lines marked ``# framework`` are the only ones that name the library: change
``retrograd`` to ``torch`` there and this same file trains with PyTorch (the tests
do exactly that and compare the losses from the same initial weights).

    python examples/mnist_cnn_bn.py                       # scikit-learn's 8x8 digits
    python examples/mnist_cnn_bn.py --data path/to/mnist  # MNIST or Fashion-MNIST IDX files
"""

import argparse
import gzip
import os

import numpy as np

import retrograd as torch  # framework
import retrograd.nn as nn  # framework
import retrograd.nn.functional as F  # framework
import retrograd.optim as optim  # framework
from retrograd.optim.lr_scheduler import StepLR  # framework
from retrograd.utils.data import DataLoader, TensorDataset  # framework


class Net(nn.Module):
    def __init__(self, side=28, p1=0.25, p2=0.5):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, 1)
        self.conv2 = nn.Conv2d(16, 32, 3, 1)
        self.bn = nn.BatchNorm2d(32)
        self.dropout1 = nn.Dropout(p1)
        self.dropout2 = nn.Dropout(p2)
        self.fc1 = nn.Linear(32 * ((side - 4) // 2) ** 2, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(self.bn(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = nn.Flatten(1)(x)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        output = F.log_softmax(x, dim=1)
        return output


def train(args, model, train_loader, optimizer, epoch, losses):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        optimizer.step()
        losses.append(loss.item())
        if batch_idx % args.log_interval == 0:
            print('Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}'.format(
                epoch, batch_idx * len(data), len(train_loader.dataset),
                100. * batch_idx / len(train_loader), loss.item()))
        if args.dry_run:
            break


def test(model, test_loader):
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction='sum').item()  # sum up batch loss
            pred = output.argmax(dim=1)  # index of the max log-probability
            correct += (pred == target).sum().item()
    test_loss /= len(test_loader.dataset)
    print('\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\n'.format(
        test_loss, correct, len(test_loader.dataset), 100. * correct / len(test_loader.dataset)))
    return test_loss, correct / len(test_loader.dataset)


def read_idx(path):
    """An IDX file (MNIST's format, optionally gzipped) as a NumPy array."""
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_data(folder=None, n_train=None):
    """(X_train, y_train, X_test, y_test): images (N, 1, side, side) in float32 scaled to [0, 1]
    and standardised, labels int64; the 8x8 digits when no folder is given."""
    if folder:
        def find(stem):
            for name in (stem, stem + ".gz"):
                if os.path.exists(os.path.join(folder, name)):
                    return read_idx(os.path.join(folder, name))
            raise FileNotFoundError(f"{stem}[.gz] not found in {folder}")
        Xtr, ytr = find("train-images-idx3-ubyte") / 255.0, find("train-labels-idx1-ubyte")
        Xte, yte = find("t10k-images-idx3-ubyte") / 255.0, find("t10k-labels-idx1-ubyte")
    else:
        from sklearn.datasets import load_digits
        d = load_digits()
        X, y = d.images / 16.0, d.target
        Xtr, ytr, Xte, yte = X[:1500], y[:1500], X[1500:], y[1500:]
    if n_train:
        Xtr, ytr = Xtr[:n_train], ytr[:n_train]
    mean, std = Xtr.mean(), Xtr.std()
    prep = lambda X: ((X - mean) / std).astype(np.float32)[:, None]  # noqa: E731
    return prep(Xtr), ytr.astype(np.int64), prep(Xte), yte.astype(np.int64)


def main(argv=None, model=None):
    parser = argparse.ArgumentParser(description='CNN on MNIST-style images')
    parser.add_argument('--data', default=None, help='folder with MNIST/Fashion-MNIST IDX files (default: 8x8 digits)')
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument('--test-batch-size', type=int, default=1000)
    parser.add_argument('--epochs', type=int, default=3)
    parser.add_argument('--n-train', type=int, default=None, help='use only the first N training images')
    parser.add_argument('--lr', type=float, default=0.05)
    parser.add_argument('--momentum', type=float, default=0.9)
    parser.add_argument('--gamma', type=float, default=0.7, help='learning rate step gamma')
    parser.add_argument('--clip', type=float, default=5.0, help='gradient norm clipping')
    parser.add_argument('--dropout', type=float, nargs=2, default=(0.25, 0.5))
    parser.add_argument('--no-shuffle', action='store_true')
    parser.add_argument('--dry-run', action='store_true', help='one batch per epoch')
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--log-interval', type=int, default=10)
    parser.add_argument('--save-model', default=None, help='path for the trained state_dict')
    args = parser.parse_args(argv)
    torch.manual_seed(args.seed)

    Xtr, ytr, Xte, yte = load_data(args.data, args.n_train)
    train_loader = DataLoader(TensorDataset(torch.tensor(Xtr), torch.tensor(ytr)),
                              batch_size=args.batch_size, shuffle=not args.no_shuffle)
    test_loader = DataLoader(TensorDataset(torch.tensor(Xte), torch.tensor(yte)), batch_size=args.test_batch_size)

    if model is None:
        model = Net(Xtr.shape[-1], *args.dropout)
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    losses, results = [], []
    for epoch in range(1, args.epochs + 1):
        train(args, model, train_loader, optimizer, epoch, losses)
        results.append(test(model, test_loader))
        scheduler.step()

    if args.save_model:
        torch.save(model.state_dict(), args.save_model)
    return dict(model=model, losses=losses, results=results)


if __name__ == '__main__':
    main()
