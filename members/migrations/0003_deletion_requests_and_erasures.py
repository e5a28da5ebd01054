import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0002_roles"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DeletionRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("reason", models.TextField(blank=True, verbose_name="理由・連絡事項")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "受付中"),
                            ("withdrawn", "取り下げ"),
                            ("erased", "削除済み"),
                        ],
                        default="pending",
                        max_length=20,
                        verbose_name="状態",
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="申出日時"
                    ),
                ),
                ("closed_at", models.DateTimeField(blank=True, null=True, verbose_name="完了日時")),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="deletion_requests",
                        to="members.person",
                        verbose_name="申出者",
                    ),
                ),
            ],
            options={
                "verbose_name": "削除の申出",
                "verbose_name_plural": "削除の申出",
                "ordering": ["-created_at"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("status", "pending")),
                        fields=("person",),
                        name="deletion_request_one_pending_per_person",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Erasure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "erased_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="削除日時"
                    ),
                ),
                (
                    "erased_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="削除した管理者",
                    ),
                ),
                (
                    "person",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="erasure",
                        to="members.person",
                        verbose_name="利用者",
                    ),
                ),
                (
                    "request",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="erasure",
                        to="members.deletionrequest",
                        verbose_name="削除の申出",
                    ),
                ),
            ],
            options={
                "verbose_name": "個人情報の削除記録",
                "verbose_name_plural": "個人情報の削除記録",
                "ordering": ["-erased_at"],
            },
        ),
    ]
