<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Test\Unit\Model;

use Gladly\Connector\Model\Config;
use Gladly\Connector\Model\Config\Source\AiActions;
use Gladly\Connector\Model\Config\Source\AllowedActions;
use Gladly\Connector\Test\Unit\Fake\FakeEncryptor;
use Gladly\Connector\Test\Unit\Fake\MetadataScopeConfig;
use Magento\Framework\App\Config\ScopeConfigInterface;
use Magento\Store\Api\Data\StoreInterface;
use Magento\Store\Model\StoreManagerInterface;
use PHPUnit\Framework\MockObject\MockObject;
use PHPUnit\Framework\TestCase;

/**
 * Tests reading and normalizing the module's settings.
 */
class ConfigTest extends TestCase
{
    /**
     * @var ScopeConfigInterface&MockObject
     */
    private $scopeConfig;

    /**
     * @var StoreManagerInterface&MockObject
     */
    private $storeManager;

    private Config $config;

    /**
     * Create the reader with a mocked configuration and a store manager whose default store view is 3.
     *
     * @return void
     */
    protected function setUp(): void
    {
        $this->scopeConfig = $this->createMock(ScopeConfigInterface::class);
        $store = $this->createMock(StoreInterface::class);
        $store->method('getId')->willReturn(3);
        $this->storeManager = $this->createMock(StoreManagerInterface::class);
        $this->storeManager->method('getDefaultStoreView')->willReturn($store);
        $this->config = new Config($this->scopeConfig, new AllowedActions(), $this->storeManager, new AiActions());
    }

    /**
     * Stored bridge URLs and what the reader returns.
     *
     * @return array<string, array{mixed, string}>
     */
    public function bridgeUrls(): array
    {
        return [
            'not set' => [null, ''],
            'empty' => ['', ''],
            'trailing slash and blanks' => [' https://bridge.shop.test/ ', 'https://bridge.shop.test'],
            'canonical' => ['https://bridge.shop.test', 'https://bridge.shop.test'],
        ];
    }

    /**
     * The bridge URL is trimmed and loses its trailing slash.
     *
     * @dataProvider bridgeUrls
     * @param mixed $stored
     * @param string $expected
     * @return void
     */
    public function testGetBridgeUrl($stored, string $expected): void
    {
        $this->givenValues(['gladly_connector/general/bridge_url' => $stored]);

        self::assertSame($expected, $this->config->getBridgeUrl());
    }

    /**
     * The setup code is saved encrypted; Magento's reader decrypts it (config.xml declares the Encrypted
     * backend model), so the module returns it as read: decrypting again would give binary garbage.
     *
     * @return void
     */
    public function testGetSetupCodeAsMagentoReadsIt(): void
    {
        $encryptor = new FakeEncryptor();
        $stored = ['gladly_connector/general/setup_code' => $encryptor->encrypt(' ABCD-1234 ')];
        $config = new Config(
            new MetadataScopeConfig($stored, $encryptor),
            new AllowedActions(),
            $this->storeManager,
            new AiActions()
        );

        self::assertSame('ABCD-1234', $config->getSetupCode());
    }

    /**
     * Without a stored setup code the code is empty.
     *
     * @return void
     */
    public function testGetSetupCodeEmpty(): void
    {
        $this->givenValues(['gladly_connector/general/setup_code' => null]);

        self::assertSame('', $this->config->getSetupCode());
    }

    /**
     * Stored product URL suffixes (Catalog > SEO) and what the reader returns.
     *
     * @return array<string, array{mixed, string}>
     */
    public function suffixes(): array
    {
        return [
            'default' => ['.html', '.html'],
            'custom' => ['.htm', '.htm'],
            'cleared by the merchant' => ['', ''],
            'no value' => [null, ''],
        ];
    }

    /**
     * The product URL suffix is core's catalog/seo/product_url_suffix of the default store view.
     *
     * @dataProvider suffixes
     * @param mixed $stored
     * @param string $expected
     * @return void
     */
    public function testGetProductUrlSuffix($stored, string $expected): void
    {
        $this->scopeConfig->expects(self::once())
            ->method('getValue')
            ->with('catalog/seo/product_url_suffix', 'store', 3)
            ->willReturn($stored);

        self::assertSame($expected, $this->config->getProductUrlSuffix());
    }

    /**
     * Without a default store view (no store yet), the default scope's suffix is read.
     *
     * @return void
     */
    public function testGetProductUrlSuffixWithoutStoreView(): void
    {
        $storeManager = $this->createMock(StoreManagerInterface::class);
        $storeManager->method('getDefaultStoreView')->willReturn(null);
        $this->scopeConfig->method('getValue')
            ->with('catalog/seo/product_url_suffix', 'default', null)
            ->willReturn('.html');

        self::assertSame('.html', (new Config($this->scopeConfig, new AllowedActions(), $storeManager, new AiActions()))
            ->getProductUrlSuffix());
    }

    /**
     * Stored multiselect values and the actions the reader returns.
     *
     * @return array<string, array{mixed, string[]}>
     */
    public function allowedActions(): array
    {
        return [
            'not set' => [null, []],
            'empty' => ['', []],
            'all' => [
                'cancel,refund,comment,hold,unhold,email',
                ['cancel', 'refund', 'comment', 'hold', 'unhold', 'email'],
            ],
            'display order, no duplicates' => ['email,cancel,email', ['cancel', 'email']],
            'unknown values dropped' => ['cancel,delete, refund ,', ['cancel', 'refund']],
        ];
    }

    /**
     * Allowed actions keep only known values, once each, in display order.
     *
     * @dataProvider allowedActions
     * @param mixed $stored
     * @param string[] $expected
     * @return void
     */
    public function testGetAllowedActions($stored, array $expected): void
    {
        $this->givenValues(['gladly_connector/actions/allowed' => $stored]);

        self::assertSame($expected, $this->config->getAllowedActions());
    }

    /**
     * Stored coupon rule lists (a multiselect saves ids comma-separated).
     *
     * @return array<string, array{mixed, int[]}>
     */
    public function couponRules(): array
    {
        return [
            'none saved' => [null, []],
            'empty' => ['', []],
            'ids' => ['12,3', [12, 3]],
            'duplicates and junk dropped' => ['3, 3,x,0,-1,7', [3, 7]],
        ];
    }

    /**
     * Coupon rule ids are positive integers, once each, in the saved order.
     *
     * @dataProvider couponRules
     * @param mixed $stored
     * @param int[] $expected
     * @return void
     */
    public function testGetCouponRuleIds($stored, array $expected): void
    {
        $this->givenValues(['gladly_connector/actions/coupon_rules' => $stored]);

        self::assertSame($expected, $this->config->getCouponRuleIds());
    }

    /**
     * Saved caps, and what a garbled or missing one falls back to: the defaults, never "no cap".
     *
     * @return array<string, array{mixed, mixed, int, int}>
     */
    public function couponCaps(): array
    {
        return [
            'defaults' => ['1', '30', 1, 30],
            'set' => [' 3 ', '7', 3, 7],
            'none saved' => [null, null, 1, 30],
            'zero, negative' => ['0', '-5', 1, 30],
            'not whole numbers' => ['2.5', 'x', 1, 30],
        ];
    }

    /**
     * The goodwill cap is a whole number of at least 1 of coupons and of days.
     *
     * @dataProvider couponCaps
     * @param mixed $limit
     * @param mixed $days
     * @param int $expectedLimit
     * @param int $expectedDays
     * @return void
     */
    public function testGetCouponCap($limit, $days, int $expectedLimit, int $expectedDays): void
    {
        $this->givenValues([
            'gladly_connector/actions/coupon_limit' => $limit,
            'gladly_connector/actions/coupon_period_days' => $days,
        ]);

        self::assertSame(
            [$expectedLimit, $expectedDays],
            [$this->config->getCouponLimit(), $this->config->getCouponPeriodDays()]
        );
    }

    /**
     * Saved AI limits and what the reader returns: known actions only, amounts of at least 0, whole days.
     *
     * @return array<string, array{array<string, mixed>, array<int, mixed>}>
     */
    public function aiLimits(): array
    {
        return [
            'saved' => [
                ['lookup,refund,comment, coupon', '25.5', '100', '14', '7', '9'],
                [['lookup', 'refund', 'coupon'], 25.5, 100.0, 14, 7, 9],
            ],
            'unusable' => [
                ['', '-1', 'lots', '-3', '0', 'x'],
                [[], 50.0, 200.0, 0, 90, 0],
            ],
            'off' => [
                [null, '0', '0', '0', '1', ''],
                [[], 0.0, 0.0, 0, 1, 0],
            ],
        ];
    }

    /**
     * Gladly AI's limits as the bridge reads them.
     *
     * @dataProvider aiLimits
     * @param array<int, mixed> $saved
     * @param array<int, mixed> $expected
     * @return void
     */
    public function testGetAiLimits(array $saved, array $expected): void
    {
        $paths = ['actions', 'refund_max', 'refund_daily_max', 'order_max_age_days', 'coupon_period_days',
            'coupon_rule'];
        $keys = array_map(static fn (string $path): string => 'gladly_connector/ai/' . $path, $paths);
        $this->givenValues(array_combine($keys, $saved));

        self::assertSame($expected, [
            $this->config->getAiActions(),
            $this->config->getAiRefundMax(),
            $this->config->getAiRefundDailyMax(),
            $this->config->getAiOrderMaxAgeDays(),
            $this->config->getAiCouponPeriodDays(),
            $this->config->getAiCouponRule(),
        ]);
    }

    /**
     * The base currency is Magento's own setting.
     *
     * @return void
     */
    public function testGetBaseCurrency(): void
    {
        $this->givenValues(['currency/options/base' => 'GBP']);

        self::assertSame('GBP', $this->config->getBaseCurrency());
    }

    /**
     * Make getValue() answer from a map of default-scope paths.
     *
     * @param array<string, mixed> $values
     * @return void
     */
    private function givenValues(array $values): void
    {
        $this->scopeConfig->method('getValue')->willReturnCallback(
            static function (string $path, string $scope = 'default', $code = null) use ($values) {
                self::assertSame('default', $scope);
                self::assertArrayHasKey($path, $values);
                return $values[$path];
            }
        );
    }
}
