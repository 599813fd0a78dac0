package io.testpulse.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * HTTP/1.1 over a plain socket, so a request can be exactly as hostile as written: unnormalised
 * paths, raw bytes, broken framing, bodies trickled or larger than declared. Answers the status of
 * the response, or {@link #TIMEOUT} / {@link #CLOSED} when there was none.
 */
final class RawHttp {

  /** No status line within the read timeout. */
  static final int TIMEOUT = -1;
  /** The connection was closed or reset before a status line. */
  static final int CLOSED = -2;

  private final String host;
  private final int port;

  RawHttp(URI base) {
    this.host = base.getHost();
    this.port = base.getPort();
  }

  /** A request head: request line, Host, the given header lines, and the blank line. */
  static byte[] head(String method, String target, String... headers) {
    StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    head.append("Host: localhost\r\n");
    for (String header : headers) {
      head.append(header).append("\r\n");
    }
    head.append("Connection: close\r\n\r\n");
    return head.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  Socket open(Duration readTimeout) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress(host, port), 10_000);
    socket.setSoTimeout((int) readTimeout.toMillis());
    return socket;
  }

  /** A status (or {@link #TIMEOUT}, {@link #CLOSED}) and the start of the body, for checks on what leaked. */
  record Response(int status, String head) {
  }

  /** Sends {@code request} whole and reads the status. */
  Response exchange(byte[] request, Duration readTimeout) {
    try (Socket socket = open(readTimeout)) {
      try {
        OutputStream out = socket.getOutputStream();
        // in slices: a server that answers early (413, 431) and closes is seen, not a broken pipe
        for (int from = 0; from < request.length; from += 64 * 1024) {
          out.write(request, from, Math.min(64 * 1024, request.length - from));
        }
        out.flush();
      } catch (IOException e) {
        // the server stopped reading: its answer (if any) is still in our receive buffer
      }
      return response(socket);
    } catch (IOException e) {
      return new Response(CLOSED, "");
    }
  }

  /** The status of the response on {@code socket}. */
  static int status(Socket socket) {
    return response(socket).status();
  }

  /** Reads the response on {@code socket}: its status and up to 64 KiB of the rest. */
  static Response response(Socket socket) {
    try {
      InputStream in = socket.getInputStream();
      StringBuilder line = new StringBuilder();
      int b;
      while ((b = in.read()) >= 0 && b != '\n' && line.length() < 1024) {
        line.append((char) b);
      }
      if (b < 0 && line.isEmpty()) {
        return new Response(CLOSED, "");
      }
      String[] parts = line.toString().trim().split(" ");
      if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
        return new Response(CLOSED, line.toString());
      }
      int status = Integer.parseInt(parts[1]);
      ByteArrayOutputStream rest = new ByteArrayOutputStream();
      try {
        byte[] buffer = new byte[8192];
        int n;
        while (rest.size() < 64 * 1024 && (n = in.read(buffer)) > 0) {
          rest.write(buffer, 0, n);
        }
      } catch (IOException e) {
        // the status is what we came for; the rest (or a stream that never ends) is best effort
      }
      return new Response(status, rest.toString(StandardCharsets.ISO_8859_1));
    } catch (SocketTimeoutException e) {
      return new Response(TIMEOUT, "");
    } catch (IOException | NumberFormatException e) {
      return new Response(CLOSED, "");
    }
  }

  static String label(int status) {
    return switch (status) {
      case TIMEOUT -> "timeout";
      case CLOSED -> "closed";
      default -> Integer.toString(status);
    };
  }
}
