"""A tiny URLconf for the kernel's own tests: one ServiceFormView and one ServiceActionView on Department."""

from django import forms
from django.urls import include, path

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.models import Department
from hardware_erp.core.views import ServiceActionView, ServiceFormView


class DepartmentForm(forms.Form):
    code = forms.SlugField()
    name_zh = forms.CharField()


def create_department(*, code, name_zh, actor):
    if code == "refused":
        raise BusinessRuleError("the service refuses this code")
    return Department.objects.create(code=code, name_zh=name_zh)


class DepartmentCreateView(ServiceFormView):
    form_class = DepartmentForm
    success_message = "Department %(object)s saved."
    success_url = "/done/"

    def perform(self, form):
        return create_department(**form.cleaned_data, actor=self.request.user)


class DepartmentRenameView(ServiceActionView):
    success_url = "/done/"

    def get_object(self):
        return Department.objects.get(pk=self.kwargs["pk"])

    def perform(self):
        if self.object.code == "locked":
            raise BusinessRuleError("this one is locked")
        Department.objects.filter(pk=self.object.pk).update(name_zh="改名")
        return self.object


urlpatterns = [
    path("dept/new/", DepartmentCreateView.as_view(), name="dept_create"),
    path("dept/<int:pk>/rename/", DepartmentRenameView.as_view(), name="dept_rename"),
    path("", include("hardware_erp.urls")),
]
