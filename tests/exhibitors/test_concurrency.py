"""Two sales people give the same booth at the same moment: exactly one wins, on both databases."""

import threading

import sqlalchemy as sa

from expo_crm.db import db
from expo_crm.exhibitors.models import BoothAssignment
from tests.factories import PASSWORD, create_application, create_booth, create_show, create_staff
from tests.helpers import csrf_from, login


def test_concurrent_requests_for_one_booth_sell_it_once(app):
    show = create_show()
    booth_id = create_booth(show).id
    application_ids = [create_application(show=show, state="approved").id for _ in range(4)]
    staff = create_staff("sales")
    clients, tokens = [], []
    email = staff.email
    for application_id in application_ids:
        client = app.test_client()
        login(client, email, PASSWORD)
        page = client.get(f"/exhibitors/applications/{application_id}")
        clients.append(client)
        tokens.append(csrf_from(page.get_data(as_text=True)))
    barrier = threading.Barrier(len(application_ids))
    statuses = []

    def assign(client, token, application_id):
        barrier.wait()
        response = client.post(
            f"/exhibitors/applications/{application_id}/booths",
            data={"csrf_token": token, "booth_id": booth_id},
        )
        statuses.append(response.status_code)

    threads = [
        threading.Thread(target=assign, args=(c, t, a))
        for c, t, a in zip(clients, tokens, application_ids, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    # Winner and losers alike go back to their application (303); the page tells them which.
    assert statuses == [303, 303, 303, 303]
    assert (
        db.session.scalar(
            sa.select(sa.func.count(BoothAssignment.id)).where(BoothAssignment.booth_id == booth_id)
        )
        == 1
    )
