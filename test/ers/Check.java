// An independent check of cunzheng's evidence records with BouncyCastle's RFC 4998 implementation
// (org.bouncycastle.tsp.ers). Run as a single-file source program:
//   java -cp /usr/share/java/bcprov.jar:/usr/share/java/bcpkix.jar:/usr/share/java/bcutil.jar \
//     Check.java RECORD.der DATA TSA-CERT.pem
// It parses RECORD with ERSEvidenceRecord, checks that the record covers DATA (ERSByteData) and that the
// timestamp verifies under the TSA certificate, and prints "ok" (exit 0) or "fail: <reason>" (exit 1).
import java.io.FileReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Security;
import java.util.Date;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.tsp.ers.ERSByteData;
import org.bouncycastle.tsp.ers.ERSEvidenceRecord;

public class Check {
    public static void main(String[] args) {
        try {
            byte[] record = Files.readAllBytes(Path.of(args[0]));
            byte[] data = Files.readAllBytes(Path.of(args[1]));
            X509CertificateHolder tsa;
            try (PEMParser pem = new PEMParser(new FileReader(args[2]))) {
                tsa = (X509CertificateHolder) pem.readObject();
            }
            Security.addProvider(new BouncyCastleProvider());
            DigestCalculatorProvider digests = new JcaDigestCalculatorProviderBuilder().setProvider("BC").build();
            ERSEvidenceRecord evidence = new ERSEvidenceRecord(record, digests);
            evidence.validatePresent(new ERSByteData(data), new Date());
            evidence.validate(new JcaSimpleSignerInfoVerifierBuilder().setProvider("BC").build(tsa));
            System.out.println("ok");
        } catch (Throwable e) {
            System.out.println("fail: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            System.exit(1);
        }
    }
}
