package dev.fathom.xai.report;

import java.util.ArrayList;
import java.util.List;

/** A self-contained HTML page of sections, tables and images (relative links), for explanation reports. */
public final class HtmlReport {
  private final String title;
  private final List<String> parts = new ArrayList<>();

  public HtmlReport(String title) {
    this.title = title;
  }

  public HtmlReport heading(String text) {
    parts.add("<h2>" + escape(text) + "</h2>");
    return this;
  }

  public HtmlReport paragraph(String text) {
    parts.add("<p>" + escape(text) + "</p>");
    return this;
  }

  /** A table; cells ending in .png become images. */
  public HtmlReport table(List<String> header, List<List<String>> rows) {
    StringBuilder s = new StringBuilder("<table><tr>");
    for (String h : header) s.append("<th>").append(escape(h)).append("</th>");
    s.append("</tr>");
    for (List<String> r : rows) {
      s.append("<tr>");
      for (String c : r) {
        s.append("<td>").append(c.endsWith(".png") ? "<img src=\"" + escape(c) + "\" alt=\"" + escape(c) + "\">" : escape(c)).append("</td>");
      }
      s.append("</tr>");
    }
    parts.add(s.append("</table>").toString());
    return this;
  }

  public String render() {
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title>\n<style>"
        + "body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}"
        + "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:middle}th{background:#f4f4f4}"
        + "img{image-rendering:pixelated}</style></head><body>\n<h1>" + escape(title) + "</h1>\n" + String.join("\n", parts)
        + "\n</body></html>\n";
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
