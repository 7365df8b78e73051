from hypothesis import settings

# the machine running the tests may be busy: no per-example deadline, a bounded number of examples
settings.register_profile("erp", deadline=None, max_examples=100)
settings.load_profile("erp")
