package io.testpulse.ingest;

import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads JUnit XML as Maven Surefire, Gradle, pytest {@code --junitxml} and jest-junit write it, with
 * StAX (streaming, one testcase in memory at a time). DTDs and external entities are disabled and a
 * document with a DOCTYPE is refused, so no XXE or entity expansion is possible.
 *
 * <p>Each {@code testcase} is one result: {@code failure} or {@code error} makes it FAILED,
 * {@code skipped} SKIPPED, none PASSED; scope is {@code classname} (else the enclosing
 * testsuite's name), {@code time} is in seconds. Surefire's reruns become extra attempts of the same
 * test: {@code flakyFailure}/{@code flakyError} are failed attempts before the final (passing) one;
 * {@code rerunFailure}/{@code rerunError} are failed attempts after the first failure. A rerun's
 * duration is its own {@code time} if it has one, else the testcase's.
 */
public final class JunitXmlReader {

  /** Failure text kept per element: the mapper truncates to the configured byte limit anyway. */
  private static final int MAX_TEXT_CHARS = 16 * 1024;

  private JunitXmlReader() {
  }

  private static XMLInputFactory factory() {
    XMLInputFactory factory = XMLInputFactory.newFactory();
    factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
    factory.setProperty(XMLInputFactory.IS_COALESCING, false);
    return factory;
  }

  /** First pass: how many results (testcases plus reruns) the document holds, checking it throughout. */
  public static int scan(InputStream in) throws MalformedUploadException {
    int[] count = {0};
    read(in, r -> count[0]++);
    return count[0];
  }

  /** Every result, in document order, to {@code sink}; returns how many. */
  public static int read(InputStream in, Consumer<UploadRecord> sink) throws MalformedUploadException {
    XMLStreamReader xml = null;
    try {
      xml = factory().createXMLStreamReader(in);
      Deque<String> suites = new ArrayDeque<>();
      int index = 0;
      boolean sawRoot = false;
      while (xml.hasNext()) {
        int event = xml.next();
        if (event == XMLStreamConstants.DTD) {
          throw new MalformedUploadException("XML with a DOCTYPE is refused (no DTDs or entities)");
        }
        if (event == XMLStreamConstants.ENTITY_REFERENCE) {
          throw new MalformedUploadException("XML entity references are refused: &" + xml.getLocalName() + ";");
        }
        if (event == XMLStreamConstants.START_ELEMENT) {
          String element = xml.getLocalName();
          if (!sawRoot && !element.equals("testsuites") && !element.equals("testsuite")) {
            throw new MalformedUploadException("not JUnit XML: the root element is <" + element
                + ">, expected <testsuites> or <testsuite>");
          }
          sawRoot = true;
          if (element.equals("testsuite")) {
            suites.push(attr(xml, "name", ""));
          } else if (element.equals("testcase")) {
            index = readTestcase(xml, suites.isEmpty() ? null : suites.peek(), index, sink);
          }
        } else if (event == XMLStreamConstants.END_ELEMENT && xml.getLocalName().equals("testsuite")) {
          suites.pop();
        }
      }
      if (!sawRoot) {
        throw new MalformedUploadException("not JUnit XML: no <testsuites> or <testsuite> element");
      }
      return index;
    } catch (XMLStreamException e) {
      throw new MalformedUploadException("invalid XML: " + e.getMessage(), e);
    } finally {
      if (xml != null) {
        try {
          xml.close();
        } catch (XMLStreamException e) {
          // closing a reader of a local stream has nothing left to release; the parse result stands
        }
      }
    }
  }

  private record Outcome(String kind, String message, Double time) {
  }

  /** Reads one testcase (the reader is on its start) and emits its results; returns the next index. */
  private static int readTestcase(XMLStreamReader xml, String suiteName, int index, Consumer<UploadRecord> sink)
      throws XMLStreamException, MalformedUploadException {
    String classname = attr(xml, "classname", null);
    String name = attr(xml, "name", null);
    String file = attr(xml, "file", null);
    String line = attr(xml, "line", null);
    Double time = seconds(attr(xml, "time", null));
    Outcome main = null;
    List<Outcome> flaky = new ArrayList<>();
    List<Outcome> reruns = new ArrayList<>();
    int depth = 1;
    while (depth > 0) {
      int event = xml.next();
      if (event == XMLStreamConstants.ENTITY_REFERENCE) {
        throw new MalformedUploadException("XML entity references are refused: &" + xml.getLocalName() + ";");
      }
      if (event == XMLStreamConstants.START_ELEMENT) {
        String element = xml.getLocalName();
        if (depth == 1 && isOutcome(element)) {
          Outcome outcome = readOutcome(xml, element);
          switch (element) {
            case "failure", "error" -> main = main == null || main.kind().equals("skipped") ? outcome : main;
            case "skipped" -> main = main == null ? outcome : main;
            case "flakyFailure", "flakyError" -> flaky.add(outcome);
            default -> reruns.add(outcome); // rerunFailure, rerunError
          }
          continue; // readOutcome consumed the element's end
        }
        depth++;
      } else if (event == XMLStreamConstants.END_ELEMENT) {
        depth--;
      }
    }
    String scope = classname != null && !classname.isBlank() ? classname : suiteName;
    String location = file == null ? null : line == null ? file : file + ":" + line;
    int attempt = 0;
    for (Outcome f : flaky) {
      sink.accept(record(index++, scope, name, file, location, "failed", f.time() != null ? f.time() : time,
          f.message(), attempt++));
    }
    String result = main == null ? "passed" : main.kind().equals("skipped") ? "skipped" : "failed";
    sink.accept(record(index++, scope, name, file, location, result, time, main == null ? null : main.message(),
        attempt++));
    for (Outcome r : reruns) {
      sink.accept(record(index++, scope, name, file, location, "failed", r.time() != null ? r.time() : time,
          r.message(), attempt++));
    }
    return index;
  }

  private static boolean isOutcome(String element) {
    return switch (element) {
      case "failure", "error", "skipped", "flakyFailure", "flakyError", "rerunFailure", "rerunError" -> true;
      default -> false;
    };
  }

  /** Reads an outcome element to its end: message attribute, else its own text (nested elements skipped). */
  private static Outcome readOutcome(XMLStreamReader xml, String element) throws XMLStreamException,
      MalformedUploadException {
    String message = attr(xml, "message", null);
    Double time = seconds(attr(xml, "time", null));
    StringBuilder text = new StringBuilder();
    int depth = 1;
    while (depth > 0) {
      int event = xml.next();
      switch (event) {
        case XMLStreamConstants.START_ELEMENT -> depth++;
        case XMLStreamConstants.END_ELEMENT -> depth--;
        case XMLStreamConstants.ENTITY_REFERENCE ->
            throw new MalformedUploadException("XML entity references are refused: &" + xml.getLocalName() + ";");
        case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA -> {
          // the element's own text (depth 1); Surefire's nested stackTrace/system-out are skipped
          if (depth == 1 && text.length() < MAX_TEXT_CHARS) {
            text.append(xml.getText(), 0, Math.min(xml.getTextLength(), MAX_TEXT_CHARS - text.length()));
          }
        }
        default -> {
        }
      }
    }
    String kind = element.equals("skipped") ? "skipped" : "failed";
    String reason = message != null && !message.isBlank() ? message : text.toString().strip();
    return new Outcome(kind, reason.isEmpty() ? null : reason, time);
  }

  private static UploadRecord record(int index, String scope, String name, String file, String location,
      String result, Double time, String reason, int attempt) {
    return new UploadRecord(index, null, scope, name, file, location, result, time, reason, Map.of(), attempt, null);
  }

  private static String attr(XMLStreamReader xml, String name, String fallback) {
    String value = xml.getAttributeValue(null, name);
    return value == null ? fallback : value;
  }

  /** JUnit {@code time}: seconds, sometimes with thousands separators ("1,234.5"). */
  private static Double seconds(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return Double.valueOf(text.replace(",", "").trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
