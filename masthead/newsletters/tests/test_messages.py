"""Each recipient's e-mail filled in from the variant's bytes: the message Django would build.

The sender builds each variant's message once with stand-ins and fills in the address, the
Message-ID and the unsubscribe link per recipient; these tests hold that to Django's own
message, over a real SMTP server where it matters, and check the way back to building per
recipient when filling in would not be safe.
"""

from __future__ import annotations

import email
import re
from email import policy

import pytest
from django.core.mail.message import sanitize_address
from wagtail.rich_text import RichText

from masthead.content.tests.helpers import demo_article
from masthead.newsletters import messages, rendering, sending, tokens
from masthead.newsletters.models import Delivery, DeliveryStatus, Issue
from masthead.newsletters.tests.conftest import reader, subscribe

pytestmark = pytest.mark.django_db
LINK = "https://news.example.org/newsletters/unsubscribe/AbC_d-9:1tQx:Zz_-0/"
MESSAGE_ID = "<newsletter.7.41@example.org>"


def parsed(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)


def headers_but_the_date(message) -> list[tuple[str, str]]:
    """Each message has its own boundary (the template's is every recipient's: it is one
    no part contains) and its own Date; the rest is the same."""
    return [
        (k, re.sub(r'boundary="[^"]+"', "boundary", str(v)))
        for k, v in message.items()
        if k != "Date"
    ]


def part_contents(message) -> list[tuple[str, str]]:
    return [(p.get_content_type(), p.get_content()) for p in message.walk() if not p.is_multipart()]


@pytest.mark.parametrize("variant", [rendering.WHOLE, rendering.TEASER])
def test_a_filled_in_message_is_the_message_django_builds(newsletter, variant):
    article = demo_article("metered")
    rendered = rendering.render_issue(Issue(newsletter=newsletter, article=article, subject="S"))
    template = messages.build(rendered, variant=variant)
    assert template is not None
    ours = parsed(template.fill(to="ann@example.org", message_id=MESSAGE_ID, unsubscribe_url=LINK))
    django_message = messages.newsletter_message(
        rendered,
        variant=variant,
        to="ann@example.org",
        message_id=MESSAGE_ID,
        unsubscribe_url=LINK,
        list_id=rendered.list_id,
    )
    theirs = parsed(django_message.message().as_bytes(linesep="\r\n"))
    assert headers_but_the_date(ours) == headers_but_the_date(theirs)
    assert part_contents(ours) == part_contents(theirs)
    assert ours["To"] == "ann@example.org" and ours["Message-ID"] == MESSAGE_ID
    assert ours["List-Unsubscribe"].strip() == f"<{LINK}>"
    for _, content in part_contents(ours):
        assert LINK in content and rendering.UNSUBSCRIBE_URL not in content
    assert template.envelope_sender == sanitize_address(rendered.sender, "utf-8")


def test_a_variant_whose_stand_in_would_be_cut_is_built_per_recipient(newsletter):
    article = demo_article("free")
    rendered = rendering.render_issue(Issue(newsletter=newsletter, article=article, subject="S"))
    whole = rendered.variants[rendering.WHOLE]
    # A line too long for a mail line, with no space to break it at: Django encodes the
    # part as quoted-printable, which cuts the stand-in.
    long_word = "x" * 1200 + rendering.UNSUBSCRIBE_URL
    rendered.variants[rendering.WHOLE] = rendering.RenderedVariant(
        html=whole.html, text=whole.text + "\n" + long_word + "\n"
    )
    assert messages.build(rendered, variant=rendering.WHOLE) is None


def test_a_long_paragraph_goes_out_in_mail_sized_lines_with_every_word(
    smtp, newsletter, django_capture_on_commit_callbacks
):
    article = demo_article("free")
    words = [f"word{i}" for i in range(400)]
    article.body = [("paragraph", RichText("<p>" + " ".join(words) + "</p>"))]
    article.save()
    subscribe(newsletter, "ann@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        sending.issue_for_article(newsletter=newsletter, article=article, audience="all")
    [mail] = smtp.inbox.to("ann@example.org")
    assert max(len(line) for line in mail.raw.split(b"\r\n")) <= 998
    assert b"quoted-printable" not in mail.raw.lower()
    for text in (mail.body, mail.html):
        assert " ".join(words) in " ".join(text.split())
    link = mail.header("List-Unsubscribe")[1:-1]
    assert link in mail.body and link in mail.html


def test_an_address_that_needs_encoding_is_sent_the_slow_way_beside_plain_ones(
    smtp, newsletter, django_capture_on_commit_callbacks, settings
):
    settings.WAGTAILADMIN_BASE_URL = "https://news.example.org"
    payer = reader("payer", paid=True)
    subscribe(newsletter, payer.email, payer)
    subscribe(newsletter, "free@example.org")
    subscribe(newsletter, "leser@bücher.example")
    with django_capture_on_commit_callbacks(execute=True):
        issue, _ = sending.issue_for_article(
            newsletter=newsletter, article=demo_article("metered"), audience="all"
        )
    deliveries = Delivery.objects.filter(issue=issue)
    assert {d.status for d in deliveries} == {DeliveryStatus.SENT}
    links = set()
    for delivery in deliveries:
        envelope = "leser@xn--bcher-kva.example" if "bücher" in delivery.email else delivery.email
        [mail] = smtp.inbox.to(envelope)
        assert re.fullmatch(
            rf"<newsletter\.{issue.pk}\.{delivery.pk}@[^>]+>", mail.header("Message-ID")
        )
        link = mail.header("List-Unsubscribe")[1:-1]
        # The token is timestamped: made a second apart, two tokens differ. What counts is
        # the address and that the token names this delivery.
        prefix = "https://news.example.org/newsletters/unsubscribe/"
        assert link.startswith(prefix) and link.endswith("/")
        assert tokens.read_unsubscribe(link.removeprefix(prefix)[:-1]) == delivery.pk
        assert link in mail.body and link in mail.html
        assert rendering.UNSUBSCRIBE_URL not in mail.raw.decode()
        links.add(link)
    assert len(links) == 3
    # The paying reader's copy is the whole article, the others the teaser.
    [paid_mail] = smtp.inbox.to(payer.email)
    [free_mail] = smtp.inbox.to("free@example.org")
    assert len(paid_mail.body) > len(free_mail.body)
