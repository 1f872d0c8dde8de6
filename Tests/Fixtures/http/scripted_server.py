#!/usr/bin/env python3
"""A scripted HTTP/1.1 server for ringlog's HTTP transport tests, on 127.0.0.1 only.

    scripted_server.py --port-file FILE [--tls-dir DIR]

Answers by path (every answer carries X-Connection: the number of the connection it came on):
  /length            Content-Length body "length body", keep-alive
  /chunked           the body "hello, chunked world" in three chunks with a chunk extension and a trailer
  /close-after       answers like /length, then closes the connection (without saying so)
  /closed            how many connections the server has closed after /close-after (plain text)
  /silent            reads the request and never answers
  /big?bytes=N       a body of N bytes with Content-Length
  /big-chunked?bytes=N  a body of N bytes in 64 KiB chunks
  /truncated         announces 100 bytes, sends 10, closes
With --tls-dir, makes a throwaway certificate authority and a certificate for "localhost" (no IP address)
with the openssl command line tool in DIR (ca.pem, server.pem, server.key, and hashed/ holding the CA under its
subject hash like /etc/ssl/certs) and serves TLS.
"""
import argparse
import os
import socket
import ssl
import subprocess
import threading
import urllib.parse

closed_after_reply = 0
connections = 0
lock = threading.Lock()


def make_certificates(directory):
    def run(*arguments):
        subprocess.run(["openssl", *arguments], check=True, cwd=directory, capture_output=True)

    curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run("req", "-x509", *curve, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=ringlog test CA")
    run("req", *curve, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost")
    with open(os.path.join(directory, "server.ext"), "w") as ext:
        ext.write("subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.pem", "-days", "2", "-extfile", "server.ext")
    # The CA alone in a hashed directory, like /etc/ssl/certs (for SSL_CERT_DIR).
    subject_hash = subprocess.run(["openssl", "x509", "-hash", "-noout", "-in", "ca.pem"], check=True, cwd=directory,
                                  capture_output=True, text=True).stdout.strip()
    os.makedirs(os.path.join(directory, "hashed"))
    os.symlink(os.path.join(directory, "ca.pem"), os.path.join(directory, "hashed", subject_hash + ".0"))


def read_request(stream):
    head = b""
    while b"\r\n\r\n" not in head:
        data = stream.recv(4096)
        if not data:
            return None
        head += data
        if len(head) > 65536:
            return None
    header, _, rest = head.partition(b"\r\n\r\n")
    lines = header.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    while len(rest) < length:
        data = stream.recv(4096)
        if not data:
            return None
        rest += data
    return method, target


def serve(stream, number):
    global closed_after_reply
    try:
        while True:
            request = read_request(stream)
            if request is None:
                return
            method, target = request
            url = urllib.parse.urlsplit(target)
            query = dict(urllib.parse.parse_qsl(url.query))
            common = f"X-Connection: {number}\r\n"
            if url.path == "/chunked":
                stream.sendall((f"HTTP/1.1 200 OK\r\n{common}Transfer-Encoding: chunked\r\n\r\n"
                                "7\r\nhello, \r\n7;note=x\r\nchunked\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n").encode())
            elif url.path in ("/length", "/close-after"):
                stream.sendall(f"HTTP/1.1 200 OK\r\n{common}Content-Length: 11\r\n\r\nlength body".encode())
                if url.path == "/close-after":
                    stream.close()
                    with lock:
                        closed_after_reply += 1
                    return
            elif url.path == "/closed":
                with lock:
                    body = str(closed_after_reply)
                stream.sendall(f"HTTP/1.1 200 OK\r\n{common}Content-Length: {len(body)}\r\n\r\n{body}".encode())
            elif url.path == "/silent":
                while stream.recv(4096):
                    pass
                return
            elif url.path == "/big":
                size = int(query.get("bytes", "0"))
                stream.sendall(f"HTTP/1.1 200 OK\r\n{common}Content-Length: {size}\r\n\r\n".encode() + b"x" * size)
            elif url.path == "/big-chunked":
                size = int(query.get("bytes", "0"))
                stream.sendall(f"HTTP/1.1 200 OK\r\n{common}Transfer-Encoding: chunked\r\n\r\n".encode())
                while size > 0:
                    part = min(size, 65536)
                    stream.sendall(f"{part:x}\r\n".encode() + b"x" * part + b"\r\n")
                    size -= part
                stream.sendall(b"0\r\n\r\n")
            elif url.path == "/truncated":
                stream.sendall(f"HTTP/1.1 200 OK\r\n{common}Content-Length: 100\r\n\r\n0123456789".encode())
                stream.close()
                return
            else:
                stream.sendall(f"HTTP/1.1 404 Not Found\r\n{common}Content-Length: 0\r\n\r\n".encode())
    except (OSError, ssl.SSLError):
        pass
    finally:
        try:
            stream.close()
        except OSError:
            pass


def main():
    global connections
    parser = argparse.ArgumentParser()
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--tls-dir")
    arguments = parser.parse_args()
    context = None
    if arguments.tls_dir:
        make_certificates(arguments.tls_dir)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(os.path.join(arguments.tls_dir, "server.pem"),
                                os.path.join(arguments.tls_dir, "server.key"))
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    temporary = arguments.port_file + ".tmp"
    with open(temporary, "w") as file:
        file.write(str(listener.getsockname()[1]))
    os.rename(temporary, arguments.port_file)
    while True:
        stream, _ = listener.accept()
        connections += 1
        number = connections
        if context is not None:
            try:
                stream.settimeout(10)
                stream = context.wrap_socket(stream, server_side=True)
                stream.settimeout(None)
            except (OSError, ssl.SSLError):
                stream.close()
                continue
        threading.Thread(target=serve, args=(stream, number), daemon=True).start()


if __name__ == "__main__":
    main()
