<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework\DB\Adapter;

/**
 * Test stand-in for Magento's database adapter (the transaction methods this module uses).
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
}
