// Quartz itself as the oracle for the Quartz -> node-cron translation tests: reads lines
// "expression<TAB>zone<TAB>afterMillis<TAB>count" and prints "OK t1 t2 ..." (epoch millis of the
// next fire times) or "ERR message" for an expression Quartz refuses.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.Date;
import java.util.TimeZone;
import org.quartz.CronExpression;

public class QuartzOracle {
  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
    String line;
    while ((line = in.readLine()) != null) {
      String[] f = line.split("\t");
      try {
        CronExpression e = new CronExpression(f[0]);
        e.setTimeZone(TimeZone.getTimeZone(f[1]));
        Date d = new Date(Long.parseLong(f[2]));
        StringBuilder out = new StringBuilder("OK");
        for (int i = 0, n = Integer.parseInt(f[3]); i < n; i++) {
          d = e.getNextValidTimeAfter(d);
          if (d == null) break;
          out.append(' ').append(d.getTime());
        }
        System.out.println(out);
      } catch (Exception ex) {
        System.out.println("ERR " + String.valueOf(ex.getMessage()).replace('\n', ' '));
      }
    }
  }
}
