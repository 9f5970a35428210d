"""Sign-ins and sign-outs go into the audit chain: they are the security events an auditor asks about."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from django.dispatch import receiver

from fangxin.core import audit
from fangxin.core.actors import Actor, client_ip_of


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    with transaction.atomic():
        audit.record(actor=Actor.for_user(user, client_ip_of(request)), action="accounts.login", obj=user)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is None:
        return
    with transaction.atomic():
        audit.record(actor=Actor.for_user(user, client_ip_of(request)), action="accounts.logout", obj=user)


def audit_lockout(sender, request, username, ip_address, **kwargs):
    with transaction.atomic():
        audit.record(actor=Actor(user=None, name=(username or "")[:150] or "未知", role="public",
                                 client_ip=(ip_address or "")[:45]),
                     action="accounts.lockout", object_type="accounts.user", object_id="", object_repr=username or "")


def connect_axes_signals():
    from axes.signals import user_locked_out

    user_locked_out.connect(audit_lockout, dispatch_uid="fangxin_audit_lockout")
