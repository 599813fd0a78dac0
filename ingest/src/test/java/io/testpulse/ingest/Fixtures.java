package io.testpulse.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

final class Fixtures {

  private Fixtures() {
  }

  static InputStream open(String name) {
    InputStream in = Fixtures.class.getResourceAsStream("/uploads/" + name);
    if (in == null) {
      throw new IllegalArgumentException("no fixture " + name);
    }
    return in;
  }

  static InputStream text(String s) {
    return new java.io.ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }

  static List<UploadRecord> json(String name) throws Exception {
    List<UploadRecord> out = new ArrayList<>();
    try (InputStream in = open(name)) {
      JsonUploadReader.read(in, out::add);
    }
    return out;
  }

  static List<UploadRecord> xml(String name) throws Exception {
    List<UploadRecord> out = new ArrayList<>();
    try (InputStream in = open(name)) {
      JunitXmlReader.read(in, out::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
