"""Documents the subscriber downloads: a payment's receipt (PDF), and a period's
statement (PDF and CSV).  The cabinet pages and ``/api/v1/me`` serve the same
bytes; who may see which payment or period is decided by ``queries``."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from lastmile.cabinet.queries import Statement
from lastmile.customers.models import Customer
from lastmile.finance.cashier_views import receipt_context
from lastmile.finance.models import Payment


def _pdf(html: str) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def attachment(content: bytes | str, *, content_type: str, filename: str) -> HttpResponse:
    """A download: ``content`` under ``filename``."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def receipt_pdf(payment: Payment, request: Any = None) -> HttpResponse:
    """The cashier's receipt of ``payment`` (a reversed one says so) as a PDF."""
    html = render_to_string("finance/receipt.html", receipt_context(payment), request=request)
    return attachment(
        _pdf(html), content_type="application/pdf", filename=f"receipt-{payment.pk}.pdf"
    )


def _statement_name(statement: Statement, ext: str) -> str:
    return f"statement-{statement.start.isoformat()}-{statement.end.isoformat()}.{ext}"


def statement_pdf(customer: Customer, statement: Statement, request: Any = None) -> HttpResponse:
    """The statement as a PDF with the ISP's name and details."""
    context = {
        "customer": customer,
        "statement": statement,
        "isp_name": settings.LASTMILE.isp_name,
        "isp_details": settings.LASTMILE.isp_details,
    }
    html = render_to_string("cabinet/statement_pdf.html", context, request=request)
    return attachment(
        _pdf(html), content_type="application/pdf", filename=_statement_name(statement, "pdf")
    )


def statement_csv(statement: Statement) -> HttpResponse:
    """The statement as CSV: plain numbers (a dot, no grouping) for spreadsheets,
    UTF-8 with a BOM (what spreadsheets need to read it as UTF-8)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([_("Time"), _("Operation"), _("Amount"), _("Balance after"), _("Reason")])
    writer.writerow(["", _("Opening balance"), "", f"{statement.opening:.2f}", ""])
    for entry in statement.entries:
        writer.writerow(
            [
                timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M"),
                entry.get_kind_display(),
                f"{entry.amount:.2f}",
                f"{entry.balance_after:.2f}",
                entry.reason,
            ]
        )
    writer.writerow(["", _("Closing balance"), "", f"{statement.closing:.2f}", ""])
    return attachment(
        out.getvalue(),
        content_type="text/csv; charset=utf-8",
        filename=_statement_name(statement, "csv"),
    )
