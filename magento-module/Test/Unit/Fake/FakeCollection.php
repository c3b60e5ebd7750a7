<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Test\Unit\Fake;

/**
 * Test double of a Magento collection (Magento\Framework\Data\Collection\AbstractDb) where it matters here: it
 * records the filters, sort orders and page it is given and answers with the records it was built with.
 */
class FakeCollection
{
    /** @var array<int, array{string, mixed}> the filters added, in order */
    public array $filters = [];

    /** @var array<int, array{string, string}> the sort orders added, in order */
    public array $orders = [];

    public ?int $pageSize = null;

    /** @var \Magento\Framework\DataObject[] */
    private array $records;

    private int $size;

    /**
     * Answer with $records, of $size matching records in all (default: as many as $records).
     *
     * @param \Magento\Framework\DataObject[] $records
     * @param int|null $size
     */
    public function __construct(array $records = [], ?int $size = null)
    {
        $this->records = $records;
        $this->size = $size ?? count($records);
    }

    /**
     * Record a filter.
     *
     * @param string $field
     * @param mixed $condition
     * @return $this
     */
    public function addFieldToFilter($field, $condition = null): self
    {
        $this->filters[] = [$field, $condition];
        return $this;
    }

    /**
     * Record a sort order.
     *
     * @param string $field
     * @param string $direction
     * @return $this
     */
    public function setOrder($field, $direction = 'DESC'): self
    {
        $this->orders[] = [$field, $direction];
        return $this;
    }

    /**
     * Record the page size.
     *
     * @param int $size
     * @return $this
     */
    public function setPageSize($size): self
    {
        $this->pageSize = (int) $size;
        return $this;
    }

    /**
     * Only page 1 is read here.
     *
     * @param int $page
     * @return $this
     */
    public function setCurPage($page): self
    {
        return $this;
    }

    /**
     * Return the records.
     *
     * @return \Magento\Framework\DataObject[]
     */
    public function getItems(): array
    {
        return $this->records;
    }

    /**
     * Return how many records match, over every page.
     *
     * @return int
     */
    public function getSize(): int
    {
        return $this->size;
    }
}
