import random
import secrets
import string
from random import choice

ALPHABET = string.ascii_letters + string.digits


def generate_token(length=32):
    # ruleid: python-insecure-random-secret
    return "".join(random.choice(ALPHABET) for _ in range(length))


def make_reset_code():
    # ruleid: python-insecure-random-secret
    return str(random.randint(100000, 999999))


def create_user(user):
    # ruleid: python-insecure-random-secret
    temp_password = "".join(random.choices(ALPHABET, k=12))
    # ruleid: python-insecure-random-secret
    user.api_key = "%032x" % random.getrandbits(128)
    # ruleid: python-insecure-random-secret
    otp = choice(range(1000, 9999))
    # ruleid: python-insecure-random-secret
    session = dict(user=user, session_id=random.random())
    return temp_password, otp, session


def negatives(items, user):
    # ok: python-insecure-random-secret
    token = secrets.token_urlsafe(32)
    # ok: python-insecure-random-secret
    sample = random.sample(items, 3)
    # ok: python-insecure-random-secret
    delay = random.uniform(0.5, 1.5)
    # ok: python-insecure-random-secret
    random.shuffle(items)
    # ok: python-insecure-random-secret
    user.password_salt = secrets.token_hex(16)
    rng = random.SystemRandom()
    # ok: python-insecure-random-secret
    otp = rng.randint(100000, 999999)
    return token, sample, delay, otp


def shuffle_deck(deck):
    # ok: python-insecure-random-secret
    random.shuffle(deck)
    return deck


def tokenize(text):
    # ok: python-insecure-random-secret
    tokens = random.sample(text.split(), 3)
    # ok: python-insecure-random-secret
    footprint = random.randint(1, 10)
    return tokens, footprint
