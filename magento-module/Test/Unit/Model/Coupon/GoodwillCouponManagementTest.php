<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Test\Unit\Model\Coupon;

use Gladly\Connector\Api\Data\GoodwillCouponInterfaceFactory;
use Gladly\Connector\Model\Config;
use Gladly\Connector\Model\Coupon\GoodwillCouponManagement;
use Gladly\Connector\Model\Coupon\IssuedCoupons;
use Gladly\Connector\Model\Coupon\RuleList;
use Gladly\Connector\Model\Data\GoodwillCoupon;
use Gladly\Connector\Test\Unit\MagentoMocks;
use Magento\Framework\Exception\LocalizedException;
use Magento\Framework\Exception\NoSuchEntityException;
use Magento\Framework\Stdlib\DateTime\TimezoneInterface;
use Magento\Sales\Api\OrderRepositoryInterface;
use Magento\Sales\Model\Order;
use Magento\SalesRule\Model\CouponGenerator;
use Magento\SalesRule\Model\Rule;
use Magento\Store\Api\Data\StoreInterface;
use Magento\Store\Model\StoreManagerInterface;
use PHPUnit\Framework\MockObject\MockObject;
use PHPUnit\Framework\TestCase;

/**
 * Tests POST /V1/gladly/orders/:orderId/goodwill-coupon: one code, its records, the cap and every refusal.
 */
class GoodwillCouponManagementTest extends TestCase
{
    use MagentoMocks;

    /**
     * What the mocked order holds: a registered customer's open order on website 1, group 1 ("General").
     *
     * @var array<string, mixed>
     */
    private array $orderData = [
        'entity_id' => 12, 'increment_id' => '000000012', 'state' => 'processing', 'customer_id' => 42,
        'customer_is_guest' => 0, 'customer_group_id' => 1, 'store_id' => 1,
    ];

    /**
     * What the allowed rule holds: websites 1 and 2, groups General and Wholesale.
     *
     * @var array<string, mixed>
     */
    private array $ruleData = [
        'rule_id' => 9, 'name' => 'Sorry 10%', 'website_ids' => ['1', '2'], 'customer_group_ids' => ['1', '2'],
    ];

    /**
     * Codes already issued to the customer within the period, as the record counts them.
     */
    private int $issued = 0;

    private bool $customerExists = true;

    /**
     * What happened, in order: the record's calls, the generator's, the comments and the saves.
     *
     * @var array<int, array<int, mixed>>
     */
    private array $calls = [];

    /**
     * @var RuleList&MockObject
     */
    private $ruleList;

    /**
     * @var CouponGenerator&MockObject
     */
    private $generator;

    private GoodwillCouponManagement $management;

    /**
     * The order, its repository, the rule list, a cap of 2 per 30 days and a clock at 2026-12-08 02:00 UTC
     * (still 2026-12-07 in the store's Chicago).
     *
     * @return void
     */
    protected function setUp(): void
    {
        $orders = $this->createMock(OrderRepositoryInterface::class);
        $orders->method('get')->willReturnCallback(function (int $id): Order {
            if ($id !== 12) {
                throw new NoSuchEntityException(__('The entity that was requested doesn\'t exist.'));
            }
            $order = $this->model(Order::class, $this->orderData, ['addCommentToStatusHistory']);
            $order->method('addCommentToStatusHistory')->willReturnCallback(function (string $comment) use ($order) {
                $this->calls[] = ['comment', $comment];
                return $order;
            });
            return $order;
        });
        $orders->method('save')->willReturnCallback(function (Order $order): Order {
            $this->calls[] = ['save order', $order->getEntityId()];
            return $order;
        });
        $this->ruleList = $this->createMock(RuleList::class);
        $this->ruleList->method('describe')->willReturn('10% off matching items');
        $config = $this->createMock(Config::class);
        $config->method('getCouponLimit')->willReturn(2);
        $config->method('getCouponPeriodDays')->willReturn(30);
        $this->generator = $this->createMock(CouponGenerator::class);
        $store = $this->createMock(StoreInterface::class);
        $store->method('getWebsiteId')->willReturn('1');
        $stores = $this->createMock(StoreManagerInterface::class);
        $stores->method('getStore')->with(1)->willReturn($store);
        $timezone = $this->createMock(TimezoneInterface::class);
        $timezone->method('date')->willReturnCallback(
            static fn ($date = null, $locale = null, $useTimezone = true): \DateTime => $useTimezone
                ? new \DateTime('2026-12-07 20:00:00', new \DateTimeZone('America/Chicago'))
                : new \DateTime('2026-12-08 02:00:00', new \DateTimeZone('UTC'))
        );
        $this->management = new GoodwillCouponManagement(
            $orders,
            $this->ruleList,
            $config,
            $this->record(),
            $this->generator,
            $stores,
            $timezone,
            $this->dataFactory(GoodwillCouponInterfaceFactory::class, GoodwillCoupon::class)
        );
    }

    /**
     * One code from the rule, recorded in the module's table and on the order, inside one transaction that
     * first locks the customer and counts their codes of the last 30 days.
     *
     * @return void
     */
    public function testIssuesOneCodeRecordedInTheTableAndOnTheOrder(): void
    {
        $this->ruleList->expects(self::once())->method('getIssuable')->with(9, '2026-12-07')
            ->willReturn($this->model(Rule::class, $this->ruleData));
        $this->issued = 1;
        $this->generator->expects(self::once())->method('generateCodes')->with(
            ['rule_id' => 9, 'qty' => 1, 'length' => 12, 'format' => 'alphanum', 'delimiter' => '-', 'dash' => 4]
        )->willReturnCallback(function (): array {
            $this->calls[] = ['generate'];
            return ['K3QZ-7PLM-X2D9'];
        });

        $coupon = $this->management->issue(12, 9, 'from Gladly by agent 7. Late parcel');

        self::assertSame(
            ['K3QZ-7PLM-X2D9', 9, 12, 42, '2026-12-08 02:00:00'],
            [
                $coupon->getCode(), $coupon->getRuleId(), $coupon->getOrderId(), $coupon->getCustomerId(),
                $coupon->getIssuedAt(),
            ]
        );
        self::assertSame([
            ['begin'],
            ['lock', 42],
            ['count', 42, '2026-11-08 02:00:00'],
            ['generate'],
            ['add', 42, 12, 9, 'K3QZ-7PLM-X2D9', '2026-12-08 02:00:00'],
            ['comment', 'Goodwill coupon K3QZ-7PLM-X2D9 (Sorry 10%: 10% off matching items) issued from Gladly by '
                . 'agent 7. Late parcel'],
            ['save order', 12],
            ['commit'],
        ], $this->calls);
    }

    /**
     * Without a note the comment ends with a full stop.
     *
     * @return void
     */
    public function testCommentWithoutANote(): void
    {
        $this->ruleList->method('getIssuable')->willReturn($this->model(Rule::class, $this->ruleData));
        $this->generator->method('generateCodes')->willReturn(['AAAA-BBBB-CCCC']);

        $this->management->issue(12, 9);

        self::assertContains(
            ['comment', 'Goodwill coupon AAAA-BBBB-CCCC (Sorry 10%: 10% off matching items) issued.'],
            $this->calls
        );
    }

    /**
     * Orders, rules and customers that get no code.
     *
     * @return array<string, array{array<string, mixed>, array<string, mixed>|null, int, bool, string}>
     */
    public function refusals(): array
    {
        return [
            'guest order' => [
                ['customer_id' => null, 'customer_is_guest' => 1], [], 0, true,
                'Order 000000012 was placed as a guest; goodwill coupons go to registered customers only.',
            ],
            'guest flag with a customer id' => [['customer_is_guest' => 1], [], 0, true, 'was placed as a guest'],
            'canceled order' => [['state' => 'canceled'], [], 0, true, 'Order 000000012 is canceled'],
            'rule not allowed now' => [
                [], null, 0, true, 'Rule 9 is not one of the goodwill coupon rules this store allows now.',
            ],
            'rule of another website' => [
                [], ['website_ids' => ['2']], 0, true, 'Rule "Sorry 10%" does not apply to the website of order',
            ],
            'rule of another customer group' => [
                ['customer_group_id' => 3], [], 0, true,
                'Rule "Sorry 10%" does not apply to the customer group of order 000000012.',
            ],
            'cap reached' => [
                [], [], 2, true,
                'The customer of order 000000012 has already received 2 goodwill coupon(s) in the last 30 days, '
                    . 'the most this store allows; no code was issued.',
            ],
            'customer deleted' => [[], [], 0, false, 'The customer of order 000000012 no longer has an account.'],
        ];
    }

    /**
     * Each refusal is a clear 400 that generates, records and comments nothing.
     *
     * @dataProvider refusals
     * @param array<string, mixed> $order
     * @param array<string, mixed>|null $rule null: the rule is not one the store allows now
     * @param int $issued
     * @param bool $customerExists
     * @param string $message
     * @return void
     */
    public function testRefuses(array $order, ?array $rule, int $issued, bool $customerExists, string $message): void
    {
        $this->orderData = $order + $this->orderData;
        $this->ruleList->method('getIssuable')
            ->willReturn($rule === null ? null : $this->model(Rule::class, $rule + $this->ruleData));
        $this->issued = $issued;
        $this->customerExists = $customerExists;
        $this->generator->expects(self::never())->method('generateCodes');

        try {
            $this->management->issue(12, 9, 'from Gladly');
            self::fail('no refusal');
        } catch (LocalizedException $e) {
            self::assertNotInstanceOf(NoSuchEntityException::class, $e);
            self::assertStringContainsString($message, $e->getMessage());
        }
        $written = array_filter($this->calls, static fn (array $call): bool => in_array(
            $call[0],
            ['add', 'comment', 'save order', 'commit'],
            true
        ));
        self::assertSame([], $written);
    }

    /**
     * A generator that returns no code leaves nothing behind and says so.
     *
     * @return void
     */
    public function testNoCodeGeneratedIsRefusedAndRolledBack(): void
    {
        $this->ruleList->method('getIssuable')->willReturn($this->model(Rule::class, $this->ruleData));
        $this->generator->method('generateCodes')->willReturn([]);

        $this->expectExceptionMessage('Magento generated no code for rule Sorry 10%.');
        try {
            $this->management->issue(12, 9);
        } finally {
            self::assertSame(['rollback'], array_column(array_slice($this->calls, -1), 0));
        }
    }

    /**
     * An unknown order is Magento's own "no such entity" (404).
     *
     * @return void
     */
    public function testUnknownOrderIsNotFound(): void
    {
        $this->expectException(NoSuchEntityException::class);
        $this->management->issue(404, 9);
    }

    /**
     * The record: a mock that runs the transaction's work and logs every call in $this->calls.
     *
     * @return IssuedCoupons&MockObject
     */
    private function record(): IssuedCoupons
    {
        $record = $this->createMock(IssuedCoupons::class);
        $record->method('atomically')->willReturnCallback(function (callable $work) {
            $this->calls[] = ['begin'];
            try {
                $result = $work();
            } catch (\Throwable $e) {
                $this->calls[] = ['rollback'];
                throw $e;
            }
            $this->calls[] = ['commit'];
            return $result;
        });
        $record->method('lockCustomer')->willReturnCallback(function (int $customerId): bool {
            $this->calls[] = ['lock', $customerId];
            return $this->customerExists;
        });
        $record->method('countSince')->willReturnCallback(function (int $customerId, string $since): int {
            $this->calls[] = ['count', $customerId, $since];
            return $this->issued;
        });
        $record->method('add')->willReturnCallback(function (...$row): void {
            $this->calls[] = array_merge(['add'], $row);
        });
        return $record;
    }
}
