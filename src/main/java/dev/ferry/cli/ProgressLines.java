package dev.ferry.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws running jobs one per line, {@code ID STATE 3/8 [#####-----] 42.0% 1.2k/s ETA 3m05s}, fitted to
 * a width. A pure function of the jobs, the width and whether colour may be used, so that what an
 * operator sees is tested at fixed widths without a terminal.
 */
final class ProgressLines {
    static final int DEFAULT_WIDTH = 80;
    private static final int MIN_BAR = 10;
    private static final int MAX_ID = 32;
    private static final String GREEN = "\u001b[32m";
    private static final String YELLOW = "\u001b[33m";
    private static final String CYAN = "\u001b[36m";
    private static final String RESET = "\u001b[0m";

    private ProgressLines() {
    }

    /** @param colour ANSI colours (a terminal without NO_COLOR); never changes the visible width */
    static List<String> render(List<JobProgress> jobs, int width, boolean colour) {
        List<String> lines = new ArrayList<>();
        if (jobs.isEmpty()) {
            lines.add("no job running");
            return lines;
        }
        int idWidth = Math.min(MAX_ID, jobs.stream().mapToInt(j -> j.id().length()).max().orElse(2));
        int stateWidth = jobs.stream().mapToInt(j -> label(j.state()).length()).max().orElse(5);
        // chunks in flight of the job's lanes, for a daemon that tells them
        int lanesWidth = jobs.stream().mapToInt(j -> lanes(j).length()).max().orElse(0);
        for (JobProgress job : jobs) {
            String id = fit(job.id(), idWidth);
            String tail = String.format(Locale.ROOT, "%6s %9s %9s", percent(job.progress()),
                    rate(job.documentsPerSecond()), "ETA " + eta(job.etaSeconds()));
            // two spaces between the columns; the bar takes what is left, or goes when too little is
            int fixed = idWidth + 2 + stateWidth + 2 + (lanesWidth == 0 ? 0 : lanesWidth + 2) + tail.length();
            int bar = width - fixed - 2 - 2;
            StringBuilder line = new StringBuilder();
            line.append(pad(id, idWidth)).append("  ");
            line.append(paint(colour, stateColour(job.state()), pad(label(job.state()), stateWidth))).append("  ");
            if (lanesWidth > 0) {
                line.append(pad(lanes(job), lanesWidth)).append("  ");
            }
            if (bar >= MIN_BAR) {
                line.append(bar(job.progress(), bar, colour)).append("  ");
            }
            line.append(tail);
            lines.add(line.toString());
        }
        return lines;
    }

    /** {@code 3/8}: chunks in flight of the job's lanes; empty when the daemon does not tell. */
    static String lanes(JobProgress job) {
        return job.lanes() > 0 ? job.chunksInFlight() + "/" + job.lanes() : "";
    }

    private static String bar(double progress, int inner, boolean colour) {
        if (progress < 0) {
            String unknown = "?";
            int left = (inner - unknown.length()) / 2;
            return "[" + " ".repeat(left) + unknown + " ".repeat(inner - left - unknown.length()) + "]";
        }
        int filled = (int) Math.floor(Math.min(1.0, progress) * inner);
        return "[" + paint(colour, GREEN, "#".repeat(filled)) + "-".repeat(inner - filled) + "]";
    }

    static String percent(double progress) {
        return progress < 0 ? "--" : String.format(Locale.ROOT, "%.1f%%", Math.min(1.0, progress) * 100);
    }

    static String rate(double perSecond) {
        if (perSecond < 0) {
            return "--/s";
        }
        if (perSecond < 1000) {
            return String.format(Locale.ROOT, "%.0f/s", perSecond);
        }
        if (perSecond < 1_000_000) {
            return String.format(Locale.ROOT, "%.1fk/s", perSecond / 1000);
        }
        return String.format(Locale.ROOT, "%.1fM/s", perSecond / 1_000_000);
    }

    static String eta(long seconds) {
        if (seconds < 0) {
            return "--";
        }
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
        }
        if (seconds < 100 * 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60);
        }
        return ">99h";
    }

    /** The long waiting states are shortened so that 80 columns keep room for the bar; ferry ctl jobs spells them out. */
    static String label(String state) {
        return switch (state) {
            case "WAITING_FOR_DESTINATION" -> "WAIT-DEST";
            case "WAITING_FOR_SOURCE" -> "WAIT-SRC";
            case "WAITING_FOR_DISK" -> "WAIT-DISK";
            default -> state;
        };
    }

    private static String stateColour(String state) {
        return switch (state) {
            case "RUNNING", "STARTING" -> GREEN;
            case "PAUSED" -> CYAN;
            default -> YELLOW; // retrying or waiting: worth a look
        };
    }

    private static String paint(boolean colour, String code, String text) {
        return colour && !text.isEmpty() ? code + text + RESET : text;
    }

    private static String fit(String text, int width) {
        return text.length() <= width ? text : text.substring(0, width - 3) + "...";
    }

    private static String pad(String text, int width) {
        return text + " ".repeat(Math.max(0, width - text.length()));
    }
}
