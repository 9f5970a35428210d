"""Account writes: users, merchant bindings and API tokens, each audited in its own transaction."""

import hmac

from django.db import transaction
from django.utils import timezone

from fangxin.core import audit
from fangxin.core.actors import Actor
from fangxin.core.exceptions import TransitionNotAllowed, ValidationFailed

from .choices import Role
from .models import TOKEN_PREFIX, ApiToken, User, hash_token_secret

USER_AUDIT_FIELDS = ("username", "full_name", "role", "region", "department", "phone", "is_active", "is_staff",
                     "is_superuser")


def user_create(*, actor: Actor, username: str, password: str, role: str, full_name: str = "", region=None,
                department=None, email: str = "", phone: str = "") -> User:
    if role not in Role.values:
        raise ValidationFailed(f"未知角色：{role}")
    if User.objects.filter(username=username).exists():
        raise ValidationFailed(f"用户名 {username} 已被使用。")
    user = User(username=username, role=role, full_name=full_name, region=region, department=department,
                email=email, phone=phone, is_staff=(role == Role.SYSADMIN), is_superuser=(role == Role.SYSADMIN))
    user.set_password(password)
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        user.save()
        audit.record(actor=actor, action="accounts.user.create", obj=user,
                     changes=audit.diff({}, audit.snapshot(user, USER_AUDIT_FIELDS)))
    return user


def api_token_create(*, actor: Actor, name: str, department, region) -> tuple[ApiToken, str]:
    """Create a token and return it with the plain text, which is never stored and shown only once."""
    if not name.strip():
        raise ValidationFailed("令牌名称不能为空。")
    key_id, secret = ApiToken.new_key_material()
    with transaction.atomic():
        token = ApiToken.objects.create(name=name.strip(), department=department, region=region, key_id=key_id,
                                        secret_hash=hash_token_secret(secret),
                                        created_by=actor.user if actor.user_id else None)
        audit.record(actor=actor, action="accounts.api_token.create", obj=token,
                     changes={"department": [None, department.code], "region": [None, region.code]})
    return token, ApiToken.format_token(key_id, secret)


def api_token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            raise TransitionNotAllowed("该令牌已经吊销。")
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit.record(actor=actor, action="accounts.api_token.revoke", obj=token,
                     changes={"revoked_at": [None, audit.jsonable(token.revoked_at)]})
    return token


def api_token_authenticate(raw: str) -> User | None:
    """The principal a valid, unrevoked token acts as: an unsaved department-staff user with its scope."""
    parts = (raw or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1].isalnum():  # key ids are hex (no NUL for PG)
        return None
    token = ApiToken.objects.select_related("department", "region").filter(key_id=parts[1]).first()
    if token is None or not token.is_active:
        return None
    if not hmac.compare_digest(token.secret_hash, hash_token_secret(parts[2])):
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token_principal(token)


def token_principal(token: ApiToken) -> User:
    principal = User(username=f"api:{token.key_id}", full_name=f"API 令牌：{token.name}",
                     role=Role.DEPARTMENT_STAFF, department=token.department, region=token.region, is_active=True)
    principal.api_token = token
    return principal
