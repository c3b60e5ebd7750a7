<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework\DB;

/**
 * Test stand-in for Magento's SELECT builder (the methods this module uses; tests mock it).
 */
class Select
{
    /**
     * Select columns from a table.
     *
     * @param array|string $name
     * @param array|string $cols
     * @param string|null $schema
     * @return $this
     */
    public function from($name, $cols = '*', $schema = null)
    {
        throw new \LogicException('Test stand-in: mock Select.');
    }

    /**
     * Add a WHERE condition, quoting the value into its "?".
     *
     * @param string $cond
     * @param mixed $value
     * @param int|null $type
     * @return $this
     */
    public function where($cond, $value = null, $type = null)
    {
        throw new \LogicException('Test stand-in: mock Select.');
    }

    /**
     * Make the statement SELECT ... FOR UPDATE.
     *
     * @param bool $flag
     * @return $this
     */
    public function forUpdate($flag = true)
    {
        throw new \LogicException('Test stand-in: mock Select.');
    }
}
