<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Test\Unit\Model;

use Gladly\Connector\Api\ConfigProviderInterface;
use Gladly\Connector\Api\Data\BridgeConfigInterface;
use Gladly\Connector\Api\Data\BridgeConfigInterfaceFactory;
use Gladly\Connector\Api\Data\CouponRuleInterface;
use Gladly\Connector\Api\Data\OrderStatusLabelInterface;
use Gladly\Connector\Model\AdminBaseUrl;
use Gladly\Connector\Model\Config;
use Gladly\Connector\Model\ConfigProvider;
use Gladly\Connector\Model\Coupon\RuleList;
use Gladly\Connector\Model\Data\BridgeConfig;
use Gladly\Connector\Model\Data\CouponRule;
use Gladly\Connector\Model\Data\OrderStatusLabel;
use Gladly\Connector\Model\OrderStatusLabels;
use Gladly\Connector\Test\Unit\MagentoMocks;
use Magento\Framework\Stdlib\DateTime\TimezoneInterface;
use PHPUnit\Framework\TestCase;
use ReflectionClass;
use ReflectionMethod;

/**
 * Tests the GET /V1/gladly/config service and the shape of its data interface.
 */
class ConfigProviderTest extends TestCase
{
    use MagentoMocks;

    /**
     * Settings snapshots the provider must pass through unchanged.
     *
     * @return array<string, array{string, string, string, string[], string}>
     */
    public function settings(): array
    {
        return [
            'configured' => [
                'https://bridge.shop.test',
                '.html',
                'https://shop.test/admin_x1/',
                ['cancel', 'refund'],
                'ABCD-1234',
            ],
            'fresh install' => ['', '.html', 'https://shop.test/admin/', [], ''],
        ];
    }

    /**
     * The service returns the current settings.
     *
     * @dataProvider settings
     * @param string $bridgeUrl
     * @param string $suffix
     * @param string $adminBaseUrl
     * @param string[] $actions
     * @param string $setupCode
     * @return void
     */
    public function testGetReturnsSettings(
        string $bridgeUrl,
        string $suffix,
        string $adminBaseUrl,
        array $actions,
        string $setupCode
    ): void {
        $config = $this->createMock(Config::class);
        $config->method('getBridgeUrl')->willReturn($bridgeUrl);
        $config->method('getProductUrlSuffix')->willReturn($suffix);
        $config->method('getAllowedActions')->willReturn($actions);
        $config->method('getSetupCode')->willReturn($setupCode);
        $config->method('getAiActions')->willReturn(['lookup', 'refund']);
        $config->method('getAiRefundMax')->willReturn(25.5);
        $config->method('getAiRefundDailyMax')->willReturn(100.0);
        $config->method('getAiOrderMaxAgeDays')->willReturn(14);
        $config->method('getAiCouponPeriodDays')->willReturn(7);
        $config->method('getAiCouponRule')->willReturn(9);
        $admin = $this->createMock(AdminBaseUrl::class);
        $admin->method('get')->willReturn($adminBaseUrl);
        $rules = $actions === [] ? [] : [new CouponRule(4, 'Sorry 10', '10% off matching items', '')];
        $ruleList = $this->createMock(RuleList::class);
        // Rules are checked against the store's today (late evening in Chicago is tomorrow in UTC), so an
        // expired one is never published and one that ends today is still offered.
        $ruleList->expects(self::once())->method('getAllowed')->with('2026-12-31')->willReturn($rules);
        $timezone = $this->createMock(TimezoneInterface::class);
        $timezone->method('date')->willReturn(
            new \DateTime('2026-12-31 23:30:00', new \DateTimeZone('America/Chicago'))
        );

        $labels = [new OrderStatusLabel(0, 'holded', 'On Hold')];
        $statusLabels = $this->createMock(OrderStatusLabels::class);
        $statusLabels->method('get')->willReturn($labels);

        $factory = $this->dataFactory(BridgeConfigInterfaceFactory::class, BridgeConfig::class);
        $provider = new ConfigProvider($config, $admin, $ruleList, $statusLabels, $timezone, $factory);
        $result = $provider->get();

        self::assertInstanceOf(ConfigProviderInterface::class, $provider);
        self::assertSame($bridgeUrl, $result->getBridgeUrl());
        self::assertSame($suffix, $result->getProductUrlSuffix());
        self::assertSame($adminBaseUrl, $result->getAdminBaseUrl());
        self::assertSame($actions, $result->getAllowedActions());
        self::assertSame($setupCode, $result->getSetupCode());
        self::assertSame($rules, $result->getCouponRules());
        self::assertSame(['order_address', 'goodwill_coupon', 'profile_v1'], $result->getCapabilities());
        self::assertSame($labels, $result->getOrderStatuses());
        self::assertSame(
            [['lookup', 'refund'], 25.5, 100.0, 14, 7, 9],
            [$result->getAiActions(), $result->getAiRefundMax(), $result->getAiRefundDailyMax(),
                $result->getAiOrderMaxAgeDays(), $result->getAiCouponPeriodDays(), $result->getAiCouponRule()]
        );
    }

    /**
     * The JSON field names Magento derives from the getters (getFooBar -> foo_bar) are the contract.
     *
     * @return void
     */
    public function testDataInterfaceFieldNames(): void
    {
        $fields = [];
        foreach ((new ReflectionClass(BridgeConfigInterface::class))->getMethods() as $method) {
            self::assertStringStartsWith('get', $method->getName());
            $fields[] = strtolower((string) preg_replace('/(.)([A-Z])/', '$1_$2', substr($method->getName(), 3)));
        }
        sort($fields);

        self::assertSame(
            [
                'admin_base_url', 'ai_actions', 'ai_coupon_period_days', 'ai_coupon_rule', 'ai_order_max_age_days',
                'ai_refund_daily_max', 'ai_refund_max', 'allowed_actions', 'bridge_url', 'capabilities',
                'coupon_rules', 'order_statuses', 'product_url_suffix', 'setup_code',
            ],
            $fields
        );
    }

    /**
     * Magento's web API reads types from docblocks: every getter and the service method need @return.
     *
     * @return void
     */
    public function testDocblocksDeclareReturnTypes(): void
    {
        $methods = array_merge(
            (new ReflectionClass(BridgeConfigInterface::class))->getMethods(),
            (new ReflectionClass(CouponRuleInterface::class))->getMethods(),
            (new ReflectionClass(OrderStatusLabelInterface::class))->getMethods()
        );
        $methods[] = new ReflectionMethod(ConfigProviderInterface::class, 'get');
        foreach ($methods as $method) {
            self::assertMatchesRegularExpression(
                '/@return (bool|int|float|string|string\[\]|\\\\Gladly\\\\Connector\\\\Api\\\\Data\\\\'
                . '(BridgeConfigInterface|CouponRuleInterface\[\]|OrderStatusLabelInterface\[\]))\s/',
                (string) $method->getDocComment(),
                $method->getName()
            );
        }
    }
}
