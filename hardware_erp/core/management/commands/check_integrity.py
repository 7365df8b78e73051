from django.core.management.base import BaseCommand, CommandError

from hardware_erp.core.integrity import run_checks


class Command(BaseCommand):
    help = "Check the invariants of the data (stock levels = ledger, balances = payments, ...); exit 1 on problems."

    def add_arguments(self, parser):
        parser.add_argument("--no-save", action="store_true", help="do not record the run")

    def handle(self, *args, no_save=False, **options):
        run = run_checks(save=not no_save)
        for r in run.results:
            mark = self.style.SUCCESS("ok  ") if r["ok"] else self.style.ERROR("FAIL")
            self.stdout.write(f"{mark} {r['app']}.{r['check']}" + ("" if r["ok"] else f" ({r['count']} problems)"))
            for p in r["problems"][:20]:
                self.stdout.write(f"       {p}")
        self.stdout.write(f"{len(run.results)} checks in {run.seconds:.2f} s")
        if not run.ok:
            raise CommandError(f"{run.problem_count} integrity problems")
