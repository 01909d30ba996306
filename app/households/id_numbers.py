"""Resident ID numbers (公民身份号码, GB 11643-1999): checked, encrypted at rest, shown masked.

The key is a Fernet key (AES-128-CBC with HMAC-SHA256, from `cryptography`): ID_NUMBER_KEY in
the configuration or the environment; several keys separated by commas rotate (the first
encrypts, any decrypts). Without one, development and tests make a key once into
instance/id_number_key (0600), as the app does for its secret key; production refuses to
start encrypting without one, so ID numbers are never stored under a key nobody keeps.
"""
import os
import re
from datetime import date
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

from app.messages import GENDERS, REGISTER

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
SHAPE = re.compile(r"^\d{17}[\dX]$")
MASKED = re.compile(r"^\d{3}\*{11}[\dX]{4}$")
KEY_FILE = "id_number_key"
_CIPHERS = {}


def check_digit(first17):
    return CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def normalise(value):
    return value.strip().upper()


def problem(value):
    """Why `value` (normalised) is not an ID number, in Chinese; None when it is one."""
    if not SHAPE.match(value):
        return REGISTER["id_format"]
    if check_digit(value[:17]) != value[17]:
        return REGISTER["id_check_digit"]
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return REGISTER["id_birth_date"]
    return None


def birth_year(value):
    return int(value[6:10])


def gender(value):
    """The 17th digit: odd for men, even for women."""
    return "male" if int(value[16]) % 2 else "female"


def consistency(value, *, year=None, sex=None):
    """{field: problem} where a stated birth year or gender contradicts the ID number."""
    problems = {}
    if year is not None and year != birth_year(value):
        problems["birth_year"] = REGISTER["id_year"].format(year=birth_year(value))
    if sex and sex != gender(value):
        problems["gender"] = REGISTER["id_gender"].format(gender=GENDERS[gender(value)])
    return problems


def mask(value):
    """What everyone sees: the region's first three digits and the last four."""
    return value[:3] + "*" * 11 + value[-4:]


def encrypt(value):
    return _cipher().encrypt(value.encode()).decode()


def decrypt(token):
    try:
        return _cipher().decrypt(token.encode()).decode()
    except InvalidToken:  # a key that was removed from ID_NUMBER_KEY: a configuration error
        raise RuntimeError("an ID number cannot be decrypted with the keys in ID_NUMBER_KEY") from None


def _cipher():
    keys = _keys()
    if keys not in _CIPHERS:
        _CIPHERS[keys] = MultiFernet([Fernet(k.encode()) for k in keys])
    return _CIPHERS[keys]


def _keys():
    configured = current_app.config.get("ID_NUMBER_KEY") or os.environ.get("ID_NUMBER_KEY")
    if configured:
        return tuple(k.strip() for k in configured.split(",") if k.strip())
    if current_app.config.get("BAOLIAN_ENV") == "production":
        raise RuntimeError(
            "ID_NUMBER_KEY is not set. In production set it in the environment or in instance/config.py, e.g. "
            "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'")
    return (_instance_key(Path(current_app.instance_path) / KEY_FILE),)


def _instance_key(path):
    """Made once, 0600 from the start, then read back (two processes racing both end with the winner's)."""
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
                f.write(Fernet.generate_key().decode())
        except FileExistsError:
            pass
    return path.read_text().strip()
