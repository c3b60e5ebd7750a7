<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Model\Coupon;

use Magento\Framework\App\ResourceConnection;
use Magento\Framework\DB\Adapter\AdapterInterface;

/**
 * The module's record of the goodwill codes it issued (table gladly_goodwill_coupon, etc/db_schema.xml): what
 * the per-customer cap counts, whatever happens to the coupons or the order comments afterwards.
 */
class IssuedCoupons
{
    public const TABLE = 'gladly_goodwill_coupon';

    private ResourceConnection $resourceConnection;

    /**
     * Keep the connections.
     *
     * @param ResourceConnection $resourceConnection
     */
    public function __construct(ResourceConnection $resourceConnection)
    {
        $this->resourceConnection = $resourceConnection;
    }

    /**
     * Run $work in one transaction: its writes all happen or none; its error is rethrown after the rollback.
     *
     * Coupons, customers, this table and (on a single database, as Magento Open Source has) orders share the
     * default connection, whose adapter nests the repositories' own transactions inside this one.
     *
     * @param callable $work
     * @return mixed What $work returns.
     * @throws \Throwable
     */
    public function atomically(callable $work)
    {
        $connection = $this->connection();
        $connection->beginTransaction();
        try {
            $result = $work();
            $connection->commit();
        } catch (\Throwable $e) {
            $connection->rollBack();
            throw $e;
        }
        return $result;
    }

    /**
     * Lock the customer's row until the transaction ends (SELECT ... FOR UPDATE), so that two requests for the
     * same customer count and issue one after the other; tell whether the customer exists.
     *
     * @param int $customerId
     * @return bool
     */
    public function lockCustomer(int $customerId): bool
    {
        $connection = $this->connection();
        $select = $connection->select()
            ->from($this->resourceConnection->getTableName('customer_entity'), ['entity_id'])
            ->where('entity_id = ?', $customerId)
            ->forUpdate(true);
        return $connection->fetchOne($select) !== false;
    }

    /**
     * Count the codes issued to a customer since a UTC time.
     *
     * @param int $customerId
     * @param string $since UTC, "YYYY-MM-DD HH:MM:SS"
     * @return int
     */
    public function countSince(int $customerId, string $since): int
    {
        $connection = $this->connection();
        $select = $connection->select()
            ->from($this->resourceConnection->getTableName(self::TABLE), ['issued' => 'COUNT(*)'])
            ->where('customer_id = ?', $customerId)
            ->where('created_at >= ?', $since);
        return (int) $connection->fetchOne($select);
    }

    /**
     * Record one issued code.
     *
     * @param int $customerId
     * @param int $orderId
     * @param int $ruleId
     * @param string $code
     * @param string $createdAt UTC, "YYYY-MM-DD HH:MM:SS"
     * @return void
     */
    public function add(int $customerId, int $orderId, int $ruleId, string $code, string $createdAt): void
    {
        $this->connection()->insert($this->resourceConnection->getTableName(self::TABLE), [
            'customer_id' => $customerId,
            'order_id' => $orderId,
            'rule_id' => $ruleId,
            'code' => $code,
            'created_at' => $createdAt,
        ]);
    }

    /**
     * Return the default connection.
     *
     * @return AdapterInterface
     */
    private function connection(): AdapterInterface
    {
        return $this->resourceConnection->getConnection();
    }
}
