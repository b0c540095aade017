"""ExportJob moves from reports to estates (infrastructure below the apps): the
state takes over the existing table, which is then renamed; its content type follows."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="estates", model="exportjob").exists():
        ContentType.objects.filter(app_label="reports", model="exportjob").update(
            app_label="estates"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("estates", "0004_messages_and_company_roles"),
        ("reports", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ExportJob',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=40, verbose_name='报表')),
                        ('params', models.CharField(blank=True, max_length=1000, verbose_name='筛选条件')),
                        ('status', models.CharField(choices=[('queued', '排队中'), ('running', '生成中'), ('done', '已完成'), ('failed', '失败')], default='queued', max_length=10, verbose_name='状态')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='申请时间')),
                        ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='开始时间')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='完成时间')),
                        ('row_count', models.PositiveIntegerField(blank=True, null=True, verbose_name='行数')),
                        ('file', models.FileField(blank=True, upload_to='exports/%Y/%m/', verbose_name='文件')),
                        ('filename', models.CharField(blank=True, max_length=200, verbose_name='文件名')),
                        ('error', models.CharField(blank=True, max_length=500, verbose_name='失败原因')),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='申请人')),
                    ],
                    options={
                        'verbose_name': '导出任务',
                        'verbose_name_plural': '导出任务',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['owner', '-created_at'], name='export_owner_created')],
                        'db_table': 'reports_exportjob',
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name="exportjob", table=None),
        migrations.RunPython(move_content_type, migrations.RunPython.noop),
    ]
