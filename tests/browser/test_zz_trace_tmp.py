import io, pytest
from django.core.management import call_command
from django.test import Client

@pytest.mark.django_db
def test_trace():
    call_command("seed_demo", "--members", "30", "--seed", "1", stdout=io.StringIO())
    c = Client()
    r = c.post("/accounts/login/", {"login": "host-focal-point@demo.liaison.test", "password": "liaison-demo-2026"})
    print(r.status_code, r.get("Location"))
    loc = r.get("Location")
    for _ in range(8):
        r = c.get(loc)
        print(r.status_code, loc, "->", r.get("Location"))
        if r.status_code != 302: break
        loc = r["Location"]
    assert 0
