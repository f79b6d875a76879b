package dev.ferry.job;

/** The type a csv/tsv column's cells are converted to. */
public enum CellType {
    STRING("string"), INT("int"), LONG("long"), DOUBLE("double"), DECIMAL("decimal"), BOOL("bool"), DATE("date"),
    OID("oid"),
    /** Numbers become numbers (int, long or double), everything else stays a string. */
    AUTO("auto");

    private final String word;

    CellType(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    static String words() {
        StringBuilder b = new StringBuilder();
        for (CellType t : values()) {
            b.append(b.length() == 0 ? "" : ", ").append(t.word);
        }
        return b.toString();
    }
}
