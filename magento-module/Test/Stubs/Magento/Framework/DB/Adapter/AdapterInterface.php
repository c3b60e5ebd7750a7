<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework\DB\Adapter;

/**
 * Test stand-in for Magento's database adapter (the transaction, select and insert methods this module uses).
 */
interface AdapterInterface
{
    /**
     * Begin a transaction (nested calls count levels).
     *
     * @return $this
     */
    public function beginTransaction();

    /**
     * Commit the transaction.
     *
     * @return $this
     */
    public function commit();

    /**
     * Roll the transaction back.
     *
     * @return $this
     */
    public function rollBack();

    /**
     * Start a SELECT statement.
     *
     * @return \Magento\Framework\DB\Select
     */
    public function select();

    /**
     * Return the first column of the first row of a query.
     *
     * @param string|\Magento\Framework\DB\Select $sql
     * @param mixed $bind
     * @return string|false
     */
    public function fetchOne($sql, $bind = []);

    /**
     * Insert a row; return the number of affected rows.
     *
     * @param mixed $table
     * @param array $bind
     * @return int
     */
    public function insert($table, array $bind);
}
