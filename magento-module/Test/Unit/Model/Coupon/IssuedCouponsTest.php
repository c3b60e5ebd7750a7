<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Test\Unit\Model\Coupon;

use Gladly\Connector\Model\Coupon\IssuedCoupons;
use Magento\Framework\App\ResourceConnection;
use Magento\Framework\DB\Adapter\AdapterInterface;
use Magento\Framework\DB\Select;
use PHPUnit\Framework\MockObject\MockObject;
use PHPUnit\Framework\TestCase;

/**
 * Tests the record of issued goodwill codes: the customer lock, the count, the row, the transaction.
 */
class IssuedCouponsTest extends TestCase
{
    /**
     * @var AdapterInterface&MockObject
     */
    private $connection;

    /**
     * The select built, call by call.
     *
     * @var array<int, array<int, mixed>>
     */
    private array $select = [];

    private IssuedCoupons $record;

    /**
     * A default connection with the "m2_" table prefix, whose select() records what is asked of it.
     *
     * @return void
     */
    protected function setUp(): void
    {
        $select = $this->createMock(Select::class);
        foreach (['from', 'where', 'forUpdate'] as $method) {
            $select->method($method)->willReturnCallback(function (...$args) use ($method, $select): Select {
                while ($args !== [] && end($args) === null) {
                    array_pop($args); // the defaults the mock fills in
                }
                $this->select[] = array_merge([$method], $args);
                return $select;
            });
        }
        $this->connection = $this->createMock(AdapterInterface::class);
        $this->connection->method('select')->willReturn($select);
        $resources = $this->createMock(ResourceConnection::class);
        $resources->method('getConnection')->willReturn($this->connection);
        $resources->method('getTableName')->willReturnCallback(static fn (string $table): string => 'm2_' . $table);
        $this->record = new IssuedCoupons($resources);
    }

    /**
     * The customer's row is read FOR UPDATE: a second request for them waits for the first to commit.
     *
     * @return void
     */
    public function testLocksTheCustomerRow(): void
    {
        $this->connection->method('fetchOne')->willReturnOnConsecutiveCalls('42', false);

        self::assertTrue($this->record->lockCustomer(42));
        self::assertSame(
            [['from', 'm2_customer_entity', ['entity_id']], ['where', 'entity_id = ?', 42], ['forUpdate', true]],
            $this->select
        );
        self::assertFalse($this->record->lockCustomer(43));
    }

    /**
     * The count is the customer's rows since the cut-off.
     *
     * @return void
     */
    public function testCountsTheCustomersCodesSinceATime(): void
    {
        $this->connection->method('fetchOne')->willReturn('3');

        self::assertSame(3, $this->record->countSince(42, '2026-11-08 02:00:00'));
        self::assertSame([
            ['from', 'm2_gladly_goodwill_coupon', ['issued' => 'COUNT(*)']],
            ['where', 'customer_id = ?', 42],
            ['where', 'created_at >= ?', '2026-11-08 02:00:00'],
        ], $this->select);
    }

    /**
     * One row per code.
     *
     * @return void
     */
    public function testAddsOneRow(): void
    {
        $this->connection->expects(self::once())->method('insert')->with('m2_gladly_goodwill_coupon', [
            'customer_id' => 42, 'order_id' => 12, 'rule_id' => 9, 'code' => 'K3QZ-7PLM-X2D9',
            'created_at' => '2026-12-08 02:00:00',
        ]);

        $this->record->add(42, 12, 9, 'K3QZ-7PLM-X2D9', '2026-12-08 02:00:00');
    }

    /**
     * The work's result is committed.
     *
     * @return void
     */
    public function testAtomicallyCommits(): void
    {
        $this->connection->expects(self::once())->method('beginTransaction');
        $this->connection->expects(self::once())->method('commit');
        $this->connection->expects(self::never())->method('rollBack');

        self::assertSame('done', $this->record->atomically(static fn (): string => 'done'));
    }

    /**
     * A failing work is rolled back and its error rethrown.
     *
     * @return void
     */
    public function testAtomicallyRollsBackAFailure(): void
    {
        $failure = new \RuntimeException('Deadlock found when trying to get lock');
        $this->connection->expects(self::once())->method('beginTransaction');
        $this->connection->expects(self::never())->method('commit');
        $this->connection->expects(self::once())->method('rollBack');

        try {
            $this->record->atomically(static function () use ($failure): void {
                throw $failure;
            });
            self::fail('no error');
        } catch (\RuntimeException $e) {
            self::assertSame($failure, $e);
        }
    }
}
