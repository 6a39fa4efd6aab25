"""The console in a real headless Chromium, driven over chromedriver's W3C WebDriver API with Selenium.

Run by ConsoleBrowserTests (Swift), which starts the gateway and chromedriver on loopback and passes:
  CONSOLE_URL     e.g. http://127.0.0.1:40123
  WEBDRIVER_URL   e.g. http://127.0.0.1:40124 (chromedriver, started and stopped by the Swift test)
  CONSOLE_PASSWORD, SCREENSHOTS (a folder under .build/)
Exits 0 when every check holds; prints the first failure and exits 1 otherwise.
"""
import os
import sys

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

BASE = os.environ["CONSOLE_URL"]
PASSWORD = os.environ["CONSOLE_PASSWORD"]
SHOTS = os.environ["SCREENSHOTS"]


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    print("ok:", what)


def testid(driver, name):
    return driver.find_elements(By.CSS_SELECTOR, f'[data-testid="{name}"]')


def arrive(driver, part):
    """Waits (up to 10 s) until the browser has navigated to a URL containing `part`."""
    try:
        WebDriverWait(driver, 10).until(lambda d: part in d.current_url)
    except Exception:
        pass
    return part in driver.current_url


def shot(driver, name):
    driver.save_screenshot(os.path.join(SHOTS, name + ".png"))


def login(driver, name):
    driver.get(BASE + "/console/")
    check(driver.current_url.endswith("/console/login"), f"{name}: /console/ redirects a stranger to /console/login")
    driver.find_element(By.NAME, "username").send_keys(name)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    testid(driver, "login-submit")[0].click()
    check(arrive(driver, "/console/tickets"), f"{name}: signed in, on the ticket list")


def logout(driver):
    testid(driver, "logout")[0].click()
    check(arrive(driver, "/console/login"), "sign-out returns to the sign-in form")
    driver.get(BASE + "/console/tickets")
    check(driver.current_url.endswith("/console/login"), "after sign-out the list needs a sign-in again")


def main():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000"]:
        options.add_argument(argument)
    driver = webdriver.Remote(command_executor=os.environ["WEBDRIVER_URL"], options=options)
    # Finding waits up to 5 s for an element, so a check does not race the page load after a click.
    driver.implicitly_wait(5)
    try:
        driver.get(BASE + "/console/login")
        shot(driver, "login-en")
        login(driver, "admin")
        rows = testid(driver, "ticket-row")
        check(len(rows) >= 2, f"the list shows the stored tickets ({len(rows)} rows)")
        shot(driver, "tickets-en")

        search = testid(driver, "filter-q")[0]
        search.send_keys("漏水")
        testid(driver, "filter-apply")[0].click()
        arrive(driver, "q=")
        rows = testid(driver, "ticket-row")
        check(len(rows) == 1 and rows[0].get_attribute("data-ref") == "T0001", "the text filter leaves the leak ticket")

        testid(driver, "ticket-link")[0].click()
        check(arrive(driver, "/console/tickets/T0001"), "a row opens its ticket")
        check("T0001" in testid(driver, "ticket-ref")[0].text, "the ticket page names its ticket")
        shot(driver, "ticket-en")
        testid(driver, "note-text")[0].send_keys("Browser note: plumber booked for 3pm")
        testid(driver, "note-submit")[0].click()
        check(len(testid(driver, "ticket-notice")) == 1, "the desk's confirmation is shown")
        timeline = testid(driver, "ticket-timeline")[0].text
        check("Browser note: plumber booked for 3pm" in timeline, "the note is on the timeline")
        check("console:admin" in timeline, "the note carries the account's name")

        testid(driver, "nav-rules")[0].click()
        arrive(driver, "/console/rules")
        testid(driver, "playground-message")[0].send_keys("3栋2单元501厨房水管漏水")
        testid(driver, "playground-submit")[0].click()
        arrive(driver, "message=")
        result = testid(driver, "playground-result")
        check(len(result) == 1, "the playground shows a result")
        marks = result[0].find_elements(By.TAG_NAME, "mark")
        check(len(marks) >= 1, f"the fired rules' words are marked ({[m.text for m in marks]})")
        check(len(testid(driver, "fired-rule")) >= 1, "the fired rules are listed")
        shot(driver, "rules-en")
        testid(driver, "nav-duty")[0].click()
        arrive(driver, "/console/duty")
        check(len(testid(driver, "duty-row")) >= 1, "the duty page lists departments")
        shot(driver, "duty-en")
        logout(driver)

        login(driver, "viewer")
        driver.get(BASE + "/console/tickets/T0001")
        check(len(testid(driver, "action-note")) == 0, "a viewer sees no action forms")
        logout(driver)

        login(driver, "eng_head")
        check("退出登录" in driver.page_source, "a zh-Hans account gets the console in simplified Chinese")
        shot(driver, "tickets-zh-Hans")
        driver.get(BASE + "/console/tickets/T0001")
        shot(driver, "ticket-zh-Hans")
        driver.get(BASE + "/console/rules?message=%E7%94%B5%E6%A2%AF%E5%9D%8F%E4%BA%86%E5%9B%B0%E4%BA%BA")
        shot(driver, "rules-zh-Hans")
        driver.set_window_size(390, 844)
        driver.get(BASE + "/console/tickets")
        width = driver.execute_script("return document.documentElement.scrollWidth")
        check(width <= 400, f"the list fits a phone screen (scroll width {width}px at 390px)")
        shot(driver, "tickets-phone-zh-Hans")
    except AssertionError:
        shot(driver, "failure")
        with open(os.path.join(SHOTS, "failure.html"), "w", encoding="utf-8") as page:
            page.write(driver.current_url + "\n" + driver.page_source)
        raise
    finally:
        driver.quit()


if __name__ == "__main__":
    try:
        main()
    except AssertionError as failure:
        print("FAILED:", failure)
        sys.exit(1)
