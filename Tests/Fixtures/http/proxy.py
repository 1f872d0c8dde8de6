#!/usr/bin/env python3
"""A small HTTP proxy for ringlog's HTTP transport tests, on 127.0.0.1 only, reaching 127.0.0.1 only.

    proxy.py --port-file FILE --log FILE [--credentials USER:PASSWORD]

- `CONNECT host:port`: opens a tunnel (200, then bytes both ways until one side closes).
- A request in absolute form (`GET http://host:port/path HTTP/1.1`): forwarded in origin form with
  `Connection: close`; the answer is passed back and the client connection closed.
With --credentials, a request without `Proxy-Authorization: Basic base64(USER:PASSWORD)` gets 407.
Each request line is appended to the log file, with " auth" when it carried the right credentials.
"""
import argparse
import base64
import os
import socket
import threading


def read_head(connection):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(4096)
        if not chunk:
            return None, b""
        data += chunk
        if len(data) > 65536:
            return None, b""
    head, rest = data.split(b"\r\n\r\n", 1)
    return head.decode("latin-1").split("\r\n"), rest


def relay(source, target):
    try:
        while True:
            chunk = source.recv(65536)
            if not chunk:
                break
            target.sendall(chunk)
    except OSError:
        pass
    finally:
        for side in (source, target):
            try:
                side.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def local_address(authority):
    host, _, port = authority.rpartition(":")
    if host.strip("[]") not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("only local targets")
    return ("127.0.0.1", int(port))


def handle(client, arguments, lock):
    try:
        lines, rest = read_head(client)
        if not lines:
            return
        request_line = lines[0]
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        authorised = True
        if arguments.credentials:
            expected = "Basic " + base64.b64encode(arguments.credentials.encode()).decode()
            authorised = fields.get("proxy-authorization") == expected
        with lock, open(arguments.log, "a") as log:
            log.write(request_line + (" auth" if arguments.credentials and authorised else "") + "\n")
        if not authorised:
            client.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                           b"Proxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n")
            return
        method, target, _ = request_line.split(" ", 2)
        if method == "CONNECT":
            upstream = socket.create_connection(local_address(target))
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            if rest:
                upstream.sendall(rest)
            other = threading.Thread(target=relay, args=(upstream, client), daemon=True)
            other.start()
            relay(client, upstream)
            other.join(10)
            return
        if not target.startswith("http://"):
            client.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            return
        authority, slash, path = target[len("http://"):].partition("/")
        length = int(fields.get("content-length", "0"))
        while len(rest) < length:
            chunk = client.recv(65536)
            if not chunk:
                break
            rest += chunk
        upstream = socket.create_connection(local_address(authority))
        kept = [line for line in lines[1:] if line.split(":", 1)[0].strip().lower()
                not in ("connection", "proxy-authorization")]
        head = "\r\n".join(["%s %s HTTP/1.1" % (method, slash + path)] + kept + ["Connection: close", "", ""])
        upstream.sendall(head.encode("latin-1") + rest)
        relay(upstream, client)
    except (OSError, ValueError):
        pass
    finally:
        client.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--credentials")
    arguments = parser.parse_args()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    open(arguments.log, "a").close()
    with open(arguments.port_file + ".tmp", "w") as f:
        f.write(str(listener.getsockname()[1]))
    os.rename(arguments.port_file + ".tmp", arguments.port_file)
    lock = threading.Lock()
    while True:
        client, _ = listener.accept()
        threading.Thread(target=handle, args=(client, arguments, lock), daemon=True).start()


if __name__ == "__main__":
    main()
