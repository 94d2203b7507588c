import os

# ruleid: python-hardcoded-credential-assignment
DB_PASSWORD = "S3cr3t!2024"
# ruleid: python-hardcoded-credential-assignment
SECRET_KEY = "django-insecure-9x!k2#m@p4q"
# ruleid: python-hardcoded-credential-assignment
OPENAI_API_KEY = "sk-proj-abc123def456ghi789"
# ruleid: python-hardcoded-credential-assignment
jwt_secret: str = "supersecretjwtkey"

CONFIG = {
    "host": "db.internal",
    # ruleid: python-hardcoded-credential-assignment
    "password": "hunter2hunter2",
}


class Settings:
    def __init__(self, app):
        # ruleid: python-hardcoded-credential-assignment
        self.api_key = "AKIA1234567890ABCD"
        # ruleid: python-hardcoded-credential-assignment
        app.config["SECRET_KEY"] = "dev-key-123"
        # ok: python-hardcoded-credential-assignment
        self.password = os.environ["APP_PASSWORD"]


# ok: python-hardcoded-credential-assignment
PASSWORD = os.environ.get("PASSWORD")
# ok: python-hardcoded-credential-assignment
password = ""
# ok: python-hardcoded-credential-assignment
API_KEY = "<your-api-key>"
# ok: python-hardcoded-credential-assignment
SECRET_KEY = "${SECRET_KEY}"
# ok: python-hardcoded-credential-assignment
TOKEN = "{{ vault_token }}"
# ok: python-hardcoded-credential-assignment
PASSWORD_RESET_URL = "https://example.com/reset"
# ok: python-hardcoded-credential-assignment
password_field = "password"
# ok: python-hardcoded-credential-assignment
TOKEN_TYPE = "Bearer"
# ok: python-hardcoded-credential-assignment
api_key = "your_api_key_here"
# ok: python-hardcoded-credential-assignment
FORM = {"username": "admin", "remember": "yes"}
# ruleid: python-hardcoded-credential-assignment
GITHUB_TOKEN = "ghp_16C7e42F292c6912E7710c838347Ae178B4a"
# ok: python-hardcoded-credential-assignment
split_token = "..."
# ok: python-hardcoded-credential-assignment
DONE_TOKEN = "done."
# ok: python-hardcoded-credential-assignment
cl_api_key = r"([a-z]{24})"
# ok: python-hardcoded-credential-assignment
SECRET_PATTERN = r"(?i)secret\s*=\s*\S+"
# ok: python-hardcoded-credential-assignment
new_password = "newPassword"
# ok: python-hardcoded-credential-assignment
SEED_PASSWORD = "test_password"
# ruleid: python-hardcoded-credential-assignment
DB_PASSWORD = "Password123"
# ruleid: python-hardcoded-credential-assignment
ADMIN_PASSWORD = "secret-sauce-prod"

# red147: a signing secret's own word is a real, weak value (a session cookie anyone can sign).
# ruleid: python-hardcoded-credential-assignment
SECRET_KEY = "secret"
# ruleid: python-hardcoded-credential-assignment
JWT_SECRET = "default_secret_key"
settings = {}
# ruleid: python-hardcoded-credential-assignment
settings["SESSION_SECRET"] = "session-secret"

# sast160: an environment variable's name is not its value (a connector's env map, an LLM provider table)
snowflake_env_vars = {
    "account": "SNOWFLAKE_HOST",
    # ok: python-hardcoded-credential-assignment
    "password": "SNOWFLAKE_PASSWORD",
}
PROVIDERS = {
    # ok: python-hardcoded-credential-assignment
    "openai": {"api_key": "OPENAI_API_KEY"},
}
# ok: python-hardcoded-credential-assignment
OPENAI_API_KEY = "OPENAI_API_KEY"
# ok: python-hardcoded-credential-assignment
aws_secret_access_key = "AWS_SECRET_ACCESS_KEY"
# ... but a capitals-only value of another shape is a value
# ruleid: python-hardcoded-credential-assignment
password = "HUNTER_PASSWORD_2"
# ruleid: python-hardcoded-credential-assignment
api_key = "PRODKEY"
# ruleid: python-hardcoded-credential-assignment
secret = "Prod_Secret"
# ruleid: python-hardcoded-credential-assignment
db_password = "CORRECT_HORSE_BATTERY_STAPLE"
# ruleid: python-hardcoded-credential-assignment
token_secret = "SK_LIVE_4F9Q2ZT8_SECRET"
# red162: a year after a word is a password's, not a variable's name; a digit or two is a name's
# ruleid: python-hardcoded-credential-assignment
password = "ACME2024_DB_PASS"
# ruleid: python-hardcoded-credential-assignment
db_password = "WINTER2025_PASSWORD"
# ok: python-hardcoded-credential-assignment
s3_secret_key = "S3_SECRET_KEY"
# ok: python-hardcoded-credential-assignment
oauth_token = "OAUTH2_TOKEN"
