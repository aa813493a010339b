"""The parent's download of their approved records.

One URL per person a request is about, looked up among the signed-in
person's own requests (``sar.bundles.bundle_download``), so anyone else's is a
404. Downloading needs a second-factor check within the last
``OTP_STEP_UP_SECONDS`` (step-up): the person is sent to confirm it and back.
The PDF is decrypted as it is served, as an attachment that is never cached
or sniffed; each download is an audit event staff see on the case.
"""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django.shortcuts import render

from portal.accounts.decorators import personal_page, recent_verification_required
from sar import bundles, selectors


def pdf_response(download: bundles.Download) -> StreamingHttpResponse:
    """A bundle as a download (for the parent here, and for staff in the
    admin): decrypted a segment at a time as it is sent, an attachment, never
    cached, never sniffed as anything else."""
    response = StreamingHttpResponse(download.chunks(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    response["Content-Length"] = str(download.size)
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@personal_page(methods=("GET",))
@recent_verification_required
def download(request, reference, case_id):
    try:
        result = bundles.bundle_download(
            user=request.user, reference=reference, case_id=case_id, request=request
        )
    except bundles.DownloadGone as gone:
        access_request = selectors.request_for_parent(request.user, reference)
        return render(
            request,
            "sar/parent/download_unavailable.html",
            {"access_request": access_request, "message": gone.message},
            status=410,
        )
    return pdf_response(result)
