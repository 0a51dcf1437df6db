"""`innkeeper serve`'s HTTP stack: granian (Rust, hyper) in front of Django's WSGI app.

Why not gunicorn's gthread worker: a thread reads each request's headers and body, so a few
hundred slow clients (slowloris) hold every thread and `/up` stops answering. Here granian's
event loop reads headers (with a hard deadline) and `bridge` reads bodies (with a deadline and a
size cap) without holding a thread; a thread is only taken once a request is complete.
"""
