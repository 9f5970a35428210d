from django.db import migrations


def install(apps, schema_editor):
    from fangxin.complaints.rules import install as install_rules

    install_rules(apps.get_model("complaints", "RuleSet"), apps.get_model("complaints", "RuleReason"))


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
