"""Reference data: the district, and the twelve works items exactly as the source
document (中原政办〔2013〕12号, 四、工作内容) words them."""

from django.db import migrations

WORKS_ITEMS = [
    (1, "改造、疏通上下水", "上下水", "米"),
    (2, "整修路面", "路面", "㎡"),
    (3, "改造供电设施，维修、增设路灯", "供电路灯", "盏"),
    (4, "修建垃圾池", "垃圾池", "座"),
    (5, "合理设置非机动车库（棚），因地制宜设置小区机动车停车场地", "车棚停车", "㎡"),
    (6, "封闭小区，修建围栏、小区大门，设立门岗值班室或岗亭", "封闭门岗", "处"),
    (7, "配建监控房，完善视频监控设施", "监控", "个"),
    (8, "拆除小区违法建（构）筑物，清除各种堆积物品和影响环境面貌的非法设施", "拆违清障", "㎡"),
    (9, "合理配置小区绿化", "绿化", "㎡"),
    (10, "合理配建物业管理用房", "物管用房", "㎡"),
    (11, "规范设置小区总平面示意图、门牌号", "示意图门牌", "块"),
    (12, "安装邮政信报箱", "信报箱", "户"),
]


def create(apps, schema_editor):
    WorksItem = apps.get_model("estates", "WorksItem")
    District = apps.get_model("estates", "District")
    District.objects.get_or_create(name="中原区")
    for number, name, short_name, unit in WORKS_ITEMS:
        WorksItem.objects.update_or_create(
            number=number, defaults={"name": name, "short_name": short_name, "default_unit": unit}
        )


class Migration(migrations.Migration):
    dependencies = [("estates", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
