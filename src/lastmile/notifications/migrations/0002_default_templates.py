from django.db import migrations


def create_templates(apps, schema_editor):
    from lastmile.notifications.defaults import install_default_templates

    install_default_templates(apps.get_model("notifications", "NotificationTemplate"))


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]
    operations = [migrations.RunPython(create_templates, migrations.RunPython.noop)]
