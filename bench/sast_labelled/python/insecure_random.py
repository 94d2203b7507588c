import random
import secrets
import string


def reset_token():
    # vuln: insecure-random
    token = "".join(random.choice(string.ascii_letters) for _ in range(32))
    return token


def session_id():
    # vuln: insecure-random
    session_key = random.getrandbits(128)
    return session_key


def safe_token():
    # safe: insecure-random
    return secrets.token_urlsafe(32)


def shuffle_cards(cards):
    # safe: insecure-random
    random.shuffle(cards)
    return cards
