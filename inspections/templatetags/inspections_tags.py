from django import template

from inspections.pdf import photo_data_uri

register = template.Library()


@register.filter
def data_uri(photo):
    return photo_data_uri(photo)


@register.filter
def get_item(mapping, key):
    return mapping.get(key)
