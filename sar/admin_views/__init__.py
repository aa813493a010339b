"""Staff screens for the right of access in the Wagtail admin: the caseworker
dashboard (``dashboard``), one case and its steps (``cases``), consent to
disclose (``consents``), and who may open them (``access``). The rules they
apply are the domain's (``sar.workflow``, ``sar.selectors``, ``sar.consent``);
``sar.wagtail_hooks`` mounts ``urlpatterns`` under /admin/requests/."""

from django.urls import path

from sar.admin_views.case_studies import (
    CaseStudyExportView,
    CaseStudyListView,
    CaseStudyPreviewView,
)
from sar.admin_views.cases import CaseDetailView, CaseStepView
from sar.admin_views.consents import ConsentIndexView, ConsentRecordView, ParentConsentsView
from sar.admin_views.dashboard import CaseListResultsView, CaseListView
from sar.admin_views.reads_report import ReadsReportView

app_name = "sar_admin"

urlpatterns = [
    path("", CaseListView.as_view(), name="dashboard"),
    path("results/", CaseListResultsView.as_view(), name="dashboard_results"),
    path("cases/<int:pk>/", CaseDetailView.as_view(), name="case"),
    path("cases/<int:pk>/<slug:step>/", CaseStepView.as_view(), name="case_step"),
    path("consents/", ConsentIndexView.as_view(), name="consents"),
    path("consents/<int:parent_pk>/", ParentConsentsView.as_view(), name="parent_consents"),
    path("consents/<int:parent_pk>/new/", ConsentRecordView.as_view(), name="consent_record"),
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
