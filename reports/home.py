"""The top of every role's home page: 我的待办, the first rows of each group."""

from estates.tasklist import todo_for


def panels(user, request=None):
    if not user.role:
        return []
    groups = todo_for(user, limit=3)
    return [{"template": "reports/_todo_panel.html", "order": 0, "todo_groups": groups}]
