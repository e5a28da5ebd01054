"""The account e-mails and sign-in message speak as the city's portal: to the person by name,
signed with the site's name and public address, never the host a request came through or the
generated username (the verification mail read 「こんにちは、127.0.0.1:8201 です! tanaka52191
さんが…」 and after sign-in 「ユーザー tanaka52191 としてログインしました。」)."""

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.urls import reverse

from members import roles
from tests.members.test_flow import SIGNUP

pytestmark = pytest.mark.django_db


def _signed_up(client, mailoutbox, django_capture_on_commit_callbacks, data=SIGNUP):
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("account_signup"), data).status_code == 302
    (mail,) = [m for m in mailoutbox if m.to == [data["email"]]]
    return mail


def test_the_verification_mail_greets_the_person_and_signs_with_the_site(
    client, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.KYOSO_SITE_NAME = "平塚市 産学官連携ポータル"
    settings.KYOSO_SITE_URL = "https://kyoso.city.hiratsuka.example.jp"
    mail = _signed_up(client, mailoutbox, django_capture_on_commit_callbacks)
    username = User.objects.get(email=SIGNUP["email"]).username
    assert mail.body.startswith("海野 波子 様")
    assert "平塚市 産学官連携ポータル の利用登録" in mail.body
    assert "https://kyoso.city.hiratsuka.example.jp" in mail.body
    assert "/accounts/confirm-email/" in mail.body
    assert username not in mail.body and username not in mail.subject
    assert "Hello from" not in mail.body and "こんにちは" not in mail.body
    assert "example.com" not in mail.body


def test_the_subject_carries_the_sites_name(client, mailoutbox, django_capture_on_commit_callbacks):
    from django.conf import settings

    mail = _signed_up(client, mailoutbox, django_capture_on_commit_callbacks)
    assert mail.subject == f"[{settings.KYOSO_SITE_NAME}] メールアドレスの確認"


def test_the_verification_mail_in_english(client, mailoutbox, django_capture_on_commit_callbacks):
    client.cookies["django_language"] = "en"
    mail = _signed_up(client, mailoutbox, django_capture_on_commit_callbacks)
    assert mail.body.startswith("Dear 海野 波子,")
    assert "Open the following link to confirm your e-mail address." in mail.body
    assert mail.subject.endswith("Confirm your e-mail address")


def test_the_password_reset_mail_names_the_person(client, mailoutbox, people):
    person = people["member_a"].person
    client.post(reverse("account_reset_password"), {"email": people["member_a"].email})
    (mail,) = mailoutbox
    assert mail.body.startswith(f"{person.name} 様")
    assert "/accounts/password/reset/key/" in mail.body
    assert people["member_a"].username not in mail.body
    assert mail.subject.endswith("パスワードの再設定")


def test_signing_in_says_the_persons_name(client, people):
    user = people["member_a"]
    user.set_password("Umi-no-chikara-2024")
    user.save()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": "Umi-no-chikara-2024"}
    )
    assert response.status_code == 302
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said == [f"{user.person.name} さんとしてログインしました。"]


def test_a_user_without_a_person_is_named_by_e_mail(people):
    from django.contrib.auth.models import AnonymousUser

    assert roles.display_name(AnonymousUser()) == ""
    assert roles.display_name(people["staff"]) == people["staff"].email
    assert roles.display_name(people["member_a"]) == people["member_a"].person.name


def test_the_mail_to_an_address_without_an_account_greets_nobody_by_name(client, mailoutbox):
    client.post(reverse("account_reset_password"), {"email": "nobody@example.jp"})
    (mail,) = mailoutbox
    assert "様" not in mail.body.splitlines()[0]
    assert "Kyoso" in mail.body or "ポータル" in mail.body
