"""Transactional messages built with the standard library: the Message-ID names the sender."""

from __future__ import annotations

from propulse.kit.mail import build_message, domain_of


def test_a_message_id_is_made_in_the_senders_domain():
    first, second = (
        build_message(
            sender="Alpinea <news@Alpinea.Example>",
            to="cmo@alpinea.example",
            subject="Hello",
            text_body="Hi",
        )
        for _ in range(2)
    )
    assert first["Message-ID"].endswith("@alpinea.example>")
    assert first["Message-ID"] != second["Message-ID"]


def test_a_given_message_id_is_kept():
    message = build_message(
        sender="news@alpinea.example",
        to="cmo@alpinea.example",
        subject="Hello",
        text_body="Hi",
        message_id="<kept@alpinea.example>",
    )
    assert message["Message-ID"] == "<kept@alpinea.example>"


def test_the_domain_of_an_address_without_one_is_localhost():
    assert domain_of("Alpinea <news@Alpinea.Example>") == "alpinea.example"
    assert domain_of("nobody") == "localhost"
