"""The password policy, in one place for the command line and the API.

Logins are rate-limited, so what matters is that a password is not among the first few an
attacker tries: the common ones, simple patterns, and the user's own phone number.
"""
from app.messages import TEXT

MIN_LENGTH = 8
PHONE_RUN = 6  # this many digits in a row from the phone number give it away

# The most used passwords in China's leaked lists, and the published demo password.
COMMON = frozenset("""
123456 1234567 12345678 123456789 1234567890 0123456789 000000 00000000 111111 11111111
666666 66666666 888888 88888888 999999 99999999 123123 123123123 12341234 11223344 112233
654321 87654321 987654321 123321 5201314 520520 520520520 1314520 147258 147258369 159357
159753 789456 789456123 741852963 123654 a123456 a12345678 aa123456 abc123 abc12345 abc123456
abcd1234 qq123456 woaini woaini1314 iloveyou password password1 passw0rd p@ssw0rd admin admin123
qwerty qwerty123 qwertyuiop asdfghjkl zxcvbnm 1qaz2wsx 1q2w3e4r qazwsxedc baolian2026
""".split())


def password_problems(password, phone=None):
    """What is wrong with this password for the user with this phone, in Chinese (empty: fine)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(TEXT["password_short"].format(min=MIN_LENGTH))
    if phone and _contains_phone(password, phone):
        problems.append(TEXT["password_phone"])
    if password.strip().lower() in COMMON or _simple_pattern(password):
        problems.append(TEXT["password_common"])
    return problems


def _contains_phone(password, phone):
    digits = "".join(c for c in phone if c.isdigit())
    if len(digits) < PHONE_RUN:
        return bool(digits) and digits in password
    return any(digits[i:i + PHONE_RUN] in password for i in range(len(digits) - PHONE_RUN + 1))


def _simple_pattern(password):
    """One short unit repeated (11111111, 12121212, abcabcabc) or a straight run (abcdefgh, 87654321)."""
    text = password.lower()
    if not text:
        return True
    for size in (1, 2, 3):
        unit = text[:size]
        if len(text) > size and unit * (len(text) // size) + unit[:len(text) % size] == text:
            return True
    steps = {ord(b) - ord(a) for a, b in zip(text, text[1:])}
    return len(text) > 2 and steps in ({1}, {-1})
