// The consumer build passing is not enough: its testkit tests must have run, and passed.
def report = new File(basedir, 'target/surefire-reports/TEST-com.example.shop.ShopTopologyTest.xml')
assert report.isFile() : "the consumer's testkit test did not run: no ${report}"
def text = report.text
def tests = (text =~ /<testsuite[^>]* tests="(\d+)"/)
assert tests.find() && tests.group(1).toInteger() >= 2 : "expected at least 2 tests in ${report}"
assert (text =~ /<testsuite[^>]* failures="0"/).find() : "failures in ${report}"
assert (text =~ /<testsuite[^>]* errors="0"/).find() : "errors in ${report}"
assert (text =~ /<testsuite[^>]* skipped="0"/).find() : "skipped tests in ${report}"
return true
