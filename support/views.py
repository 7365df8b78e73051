from hardware_erp.core.views import ModuleIndexView


class IndexView(ModuleIndexView):
    module = "support"
