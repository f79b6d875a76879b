package dev.ferry.sync.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Dates in mongoimport's typed headers, read as Go's time.Parse reads them (the expected instants are what Go 1.19
 * gives for the same layout and text on a host whose local zone is UTC).
 */
class GoTimeLayoutTest {

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource(delimiter = '|', value = {
        "2006-01-02|2014-11-23|2014-11-23T00:00:00Z",
        "2006-01-02T15:04:05Z07:00|2014-11-23T10:11:12Z|2014-11-23T10:11:12Z",
        "2006-01-02T15:04:05Z07:00|2014-11-23T10:11:12+02:00|2014-11-23T08:11:12Z",
        "2006-01-02T15:04:05Z07:00|2014-11-23T10:11:12.25-01:30|2014-11-23T11:41:12.250Z",
        "2006-01-02 15:04:05.000|2014-11-23 10:11:12.345|2014-11-23T10:11:12.345Z",
        "2006-01-02 15:04:05.999|2014-11-23 10:11:12|2014-11-23T10:11:12Z",
        "Jan 2, 2006 at 3:04pm (MST)|Feb 3, 2013 at 7:54pm (PST)|2013-02-03T19:54:00Z",
        "Jan _2 2006|Feb  3 2013|2013-02-03T00:00:00Z",
        "January 2 2006|march 9 2015|2015-03-09T00:00:00Z",
        "Mon, 02 Jan 2006 15:04:05 -0700|Tue, 10 Nov 2009 23:00:00 +0100|2009-11-10T22:00:00Z",
        "1/2/06 3:04 PM|7/4/99 12:30 AM|1999-07-04T00:30:00Z",
        "01/02/2006|02/29/2016|2016-02-29T00:00:00Z",
        "2006-002|2016-060|2016-02-29T00:00:00Z",
        "15:04 MST 2006-01-02|10:00 GMT+3 2020-05-06|2020-05-06T07:00:00Z",
        "15:04 MST 2006-01-02|10:00 UTC 2020-05-06|2020-05-06T10:00:00Z",
    })
    void goLayouts(String layout, String text, String expected) {
        assertEquals(Instant.parse(expected), GoTimeLayout.go(layout).parse(text));
    }

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource(delimiter = '|', value = {
        "yyyy-MM-dd HH:mm:ss|2014-11-23 10:11:12|2014-11-23T10:11:12Z",
        "M/d/yyyy h:mm tt|11/3/2014 9:05 PM|2014-11-03T21:05:00Z",
        "dd MMM yyyy zzz|03 Nov 2014 +01:00|2014-11-02T23:00:00Z",
    })
    void sqlServerLayouts(String layout, String text, String expected) {
        assertEquals(Instant.parse(expected), GoTimeLayout.fromMs(layout).parse(text));
    }

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource(delimiter = '|', value = {
        "DD-MON-YYYY HH24:MI:SS|23-NOV-2014 10:11:12|2014-11-23T10:11:12Z",
        "yyyy/mm/dd hh:mi am|2014/11/23 09:11 PM|2014-11-23T21:11:00Z",
        "DD MONTH YY|23 NOVEMBER 14|2014-11-23T00:00:00Z",
    })
    void oracleLayouts(String layout, String text, String expected) {
        assertEquals(Instant.parse(expected), GoTimeLayout.fromOracle(layout).parse(text));
    }

    @Test
    void theLayoutsTranslateAsMongoimportTranslatesThem() {
        assertEquals("2006-01-02 15:04:05", GoTimeLayout.fromMs("yyyy-MM-dd HH:mm:ss").layout());
        assertEquals("Monday, January 2 2006 03:04 PM", GoTimeLayout.fromMs("dddd, MMMM d yyyy hh:mm tt").layout());
        assertEquals("02-Jan-2006 15:04:05", GoTimeLayout.fromOracle("DD-MON-YYYY HH24:MI:SS").layout());
        assertEquals("2006/01/02 03:04 PM", GoTimeLayout.fromOracle("yyyy/mm/dd hh:mi am").layout());
    }

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource(delimiter = '|', value = {
        "2006-01-02|2014-11-31|day 31 out of range for 2014-11",
        "2006-01-02|2014-13-01|month 13 out of range",
        "2006-01-02|2014-1-01|expected two digits for the month",
        "2006-01-02|14-11-23|expected 4 digits for the year",
        "2006-01-02|2014-11-23x|extra text \"x\"",
        "2006-01-02|BLAH|expected 4 digits for the year",
        "15:04|25:00|hour 25 out of range",
        "3:04pm|3:04PM|expected am or pm",
    })
    void textThatDoesNotFitIsRefusedSayingWhere(String layout, String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GoTimeLayout.go(layout).parse(text));
        assertTrue(e.getMessage().startsWith("not a date in the layout \"" + layout + "\": "), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
