"""Fixtures of the email tests: the .eml corpus, a hospital with contacts, and a real dovecot."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import servers
from weibao.accounts.tests.conftest import _english  # noqa: F401
from weibao.customers.models import Contact, Customer
from weibao.customers.tests.factories import ContactFactory, CustomerFactory

CORPUS = Path(__file__).parent / "corpus"


def eml(name: str) -> bytes:
    """One file of the corpus, by the start of its name (``"01"``)."""
    (path,) = CORPUS.glob(f"{name}*.eml")
    return path.read_bytes()


@pytest.fixture
def hospital(db: None) -> Customer:
    return CustomerFactory.create(name="安庆市第一人民医院", email_domains="hosp.test, hosp-branch.test")


@pytest.fixture
def zhurong(hospital: Customer) -> Contact:
    return ContactFactory.create(customer=hospital, name="朱镕", email="ZhuRong@hosp.test")


@pytest.fixture(scope="session")
def imap() -> Iterator[servers.ImapServer]:
    """A throwaway dovecot on loopback with two mailboxes, one per pytest(-xdist) worker."""
    if servers.dovecot_binary() is None:
        pytest.skip("dovecot is not installed (`make test` installs it: apt-get install dovecot-imapd)")
    users = {"support@weibao.test": "support-pw", "hk@weibao.test": "hk-pw"}
    with servers.imap_server(users=users) as server:
        yield server
