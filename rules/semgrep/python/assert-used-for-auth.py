def delete_project(request, project):
    # ruleid: python-assert-used-for-auth
    assert request.user.is_authenticated
    # ruleid: python-assert-used-for-auth
    assert project.owner_id == request.user.id, "not your project"
    project.delete()


def admin_panel(current_user):
    # ruleid: python-assert-used-for-auth
    assert current_user.is_admin, "admins only"
    return "secret stuff"


def transfer(user, account, amount):
    # ruleid: python-assert-used-for-auth
    assert user.has_perm("bank.transfer")
    # ok: python-assert-used-for-auth
    assert amount > 0
    # ok: python-assert-used-for-auth
    assert isinstance(account, str), "account must be a string"
    return account


def check(user):
    # ok: python-assert-used-for-auth
    if not user.is_authenticated:
        raise PermissionError("login required")
    return user


def tokenize(text, tokens):
    # ok: python-assert-used-for-auth
    assert len(tokens) > 0
    # ok: python-assert-used-for-auth
    assert text.strip(), "empty text"


def api(request, expected_token):
    # ruleid: python-assert-used-for-auth
    assert request.headers.get("X-Token") == expected_token
