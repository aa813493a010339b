"""Staff screens for the right of access in the Wagtail admin: the caseworker
dashboard (``dashboard``), one case and its steps (``cases``), its records
(``records``) and their redaction review and log (``redactions``,
``redaction_record``), its bundle (``bundles``), consent to disclose
(``consents``), safeguarding holds (``holds``), retention and disposal
(``retention``, ``disposal_records``), and who may open them (``access``). The rules they apply are
the domain's (``sar.workflow``, ``sar.selectors``, ``sar.consent``,
``sar.records``, ``sar.redactions``, ``sar.safeguarding``, ``sar.retention``);
``sar.wagtail_hooks`` mounts
``urlpatterns`` under /admin/requests/."""

from django.urls import path

from sar.admin_views.bundles import (
    BundleMakeAvailableView,
    BundlePdfView,
    BundlePrepareView,
    BundleRetryView,
    BundleRevokeView,
    BundleStatusView,
)
from sar.admin_views.case_studies import (
    CaseStudyExportView,
    CaseStudyListView,
    CaseStudyPreviewView,
)
from sar.admin_views.cases import CaseDetailView, CaseStepView
from sar.admin_views.consents import ConsentIndexView, ConsentRecordView, ParentConsentsView
from sar.admin_views.dashboard import CaseListResultsView, CaseListView
from sar.admin_views.disposal_records import (
    DisposalCertificateView,
    DisposalRecordListView,
    DisposalRecordView,
)
from sar.admin_views.holds import (
    HoldDetailView,
    HoldLiftView,
    HoldReportResultsView,
    HoldReportView,
    ServiceCaseHoldView,
)
from sar.admin_views.reads_report import ReadsReportView
from sar.admin_views.records import RecordIncludeView, RecordsView
from sar.admin_views.redaction_record import RedactionRecordView
from sar.admin_views.redactions import RedactionLogView, RedactionOverviewView
from sar.admin_views.retention import (
    DisposalConfirmView,
    DisposalQueueView,
    LeftEducationView,
    ServiceCaseListView,
    ServiceCaseRetentionView,
)

app_name = "sar_admin"

urlpatterns = [
    path("", CaseListView.as_view(), name="dashboard"),
    path("results/", CaseListResultsView.as_view(), name="dashboard_results"),
    path("cases/<int:pk>/", CaseDetailView.as_view(), name="case"),
    # Records and redaction: before the step pattern, whose slug would take them.
    path("cases/<int:pk>/records/", RecordsView.as_view(), name="case_records"),
    path(
        "cases/<int:pk>/records/<int:record_pk>/include/",
        RecordIncludeView.as_view(),
        name="record_include",
    ),
    path("cases/<int:pk>/redaction/", RedactionOverviewView.as_view(), name="redaction"),
    path("cases/<int:pk>/redaction/log/", RedactionLogView.as_view(), name="redaction_log"),
    path(
        "cases/<int:pk>/redaction/<int:record_pk>/",
        RedactionRecordView.as_view(),
        name="redaction_record",
    ),
    # The bundle: two segments after the case, so the step pattern never takes them.
    path("cases/<int:pk>/bundle/prepare/", BundlePrepareView.as_view(), name="bundle_prepare"),
    path("cases/<int:pk>/bundle/retry/", BundleRetryView.as_view(), name="bundle_retry"),
    path("cases/<int:pk>/bundle/status/", BundleStatusView.as_view(), name="bundle_status"),
    path("cases/<int:pk>/bundle/pdf/", BundlePdfView.as_view(), name="bundle_pdf"),
    path("cases/<int:pk>/bundle/revoke/", BundleRevokeView.as_view(), name="bundle_revoke"),
    path(
        "cases/<int:pk>/bundle/available/",
        BundleMakeAvailableView.as_view(),
        name="bundle_available",
    ),
    path("cases/<int:pk>/<slug:step>/", CaseStepView.as_view(), name="case_step"),
    path("consents/", ConsentIndexView.as_view(), name="consents"),
    path("consents/<int:parent_pk>/", ParentConsentsView.as_view(), name="parent_consents"),
    path("consents/<int:parent_pk>/new/", ConsentRecordView.as_view(), name="consent_record"),
    path("holds/", HoldReportView.as_view(), name="holds"),
    path("holds/results/", HoldReportResultsView.as_view(), name="holds_results"),
    path("holds/service-case/", ServiceCaseHoldView.as_view(), name="hold_service_case"),
    path("holds/<int:pk>/", HoldDetailView.as_view(), name="hold"),
    path("holds/<int:pk>/lift/", HoldLiftView.as_view(), name="hold_lift"),
    path("disposal/", DisposalQueueView.as_view(), name="disposal_queue"),
    path("disposal/service-cases/", ServiceCaseListView.as_view(), name="retention_cases"),
    path(
        "disposal/service-cases/<int:pk>/",
        ServiceCaseRetentionView.as_view(),
        name="retention_case",
    ),
    path(
        "disposal/service-cases/<int:pk>/children/<int:child_pk>/left-education/",
        LeftEducationView.as_view(),
        name="left_education",
    ),
    path(
        "disposal/service-cases/<int:pk>/dispose/",
        DisposalConfirmView.as_view(),
        name="disposal_confirm",
    ),
    path("disposal/records/", DisposalRecordListView.as_view(), name="disposal_records"),
    path("disposal/records/<int:pk>/", DisposalRecordView.as_view(), name="disposal_record"),
    path(
        "disposal/records/<int:pk>/certificate.pdf",
        DisposalCertificateView.as_view(),
        name="disposal_certificate",
    ),
    # Case studies for training.
    path("case-studies/", CaseStudyListView.as_view(), name="case_studies"),
    path("case-studies/<int:pk>/", CaseStudyPreviewView.as_view(), name="case_study"),
    path(
        "case-studies/<int:pk>/download/",
        CaseStudyExportView.as_view(),
        name="case_study_export",
    ),
    # Staff reads of personal records, for administrators (under "Audit").
    path("reads/", ReadsReportView.as_view(), name="reads_report"),
]
